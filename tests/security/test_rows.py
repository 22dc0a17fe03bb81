"""Every row of SECURITY.md names at least one test (its docstring says ``SECURITY.md: <row>``)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

ROWS = {
    "Access": [
        "Every URL needs login except an explicit allow-list",
        "A clinician reaches only patients on their care team",
        "A patient reaches only their own plans and logs",
        "The administrator edits templates and users but does not browse patient charts",
        "Public identifiers are UUIDs; no PHI in URLs or query strings",
        "Forms list their fields; the server sets owner, prescriber and patient",
    ],
    "Authentication and sessions": [
        "Argon2id password hashing; 12-character minimum",
        "Login lockout per user and address",
        "Idle logout after 15 minutes, absolute session limit 12 hours",
        "New session key at login; logout destroys the session; replayed cookie refused",
        "Password change ends the user's other sessions",
        "Second factor (TOTP) for every user, required in production for clinicians and administrators",
    ],
    "Browser protections and deployment": [
        "check --deploy --fail-level WARNING passes under production settings",
        "HSTS one year with subdomains, secure and HttpOnly cookies, SSL redirect in production",
        "CSRF on every state change; state changes only by POST",
        "Content-Security-Policy and X-Frame-Options DENY",
        "Pages with patient data send Cache-Control: no-store",
        "No third-party scripts, fonts or CDNs",
        "The PDF renderer fetches nothing but the app's own static files",
        "Generic error pages, no stack traces, no PHI in logs or error reports",
    ],
    "Audit and integrity": [
        "Every create/update/delete of audited models keeps who, when, old and new values",
        "Viewing or printing a chart or plan writes an access record",
        "Audit rows are written in the same transaction as the change",
        "Screenings are immutable once recorded",
    ],
    "Input and integrity": [
        "Clinical ranges validated in forms and constrained in the database",
        "Bad input never produces a 500",
        "Request data never shapes ORM structure",
        "Names and notes are escaped everywhere, the PDF included",
        "Two clinicians editing one prescription: the stale save is refused",
        "The safety gate holds under concurrency",
    ],
    "Load": [
        "Under sustained concurrent load there are no errors and no lost writes",
    ],
}


def test_every_security_row_is_named_by_a_test():
    sources = "\n".join(p.read_text() for p in TESTS.rglob("test_*.py") if p.name != "test_rows.py")
    missing = [row for rows in ROWS.values() for row in rows if f"SECURITY.md: {row}" not in sources]
    assert not missing, missing
    assert sum(len(rows) for rows in ROWS.values()) == 31
