// The summary's "Copy" button: the plain text onto the clipboard (no inline scripts: CSP).
(() => {
  const script = document.currentScript;
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const text = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector("[data-copy-status]");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(text.value);
        status.textContent = script.dataset.copied;
      } catch {
        text.focus();
        text.select();
        status.textContent = script.dataset.failed;
      }
    });
  });
})();
