from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("my-plan/", views.my_plan, name="my_plan"),
    path("my-plan/record.json", views.my_record, name="my_record"),
    path("my-plan/calendar/", views.calendar_renew, name="calendar_renew"),
    path("my-plan/calendar/stop/", views.calendar_stop, name="calendar_stop"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("accounts/reminders/", views.reminder_settings, name="reminders"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("patients/<uuid:public_id>/record.json", views.patient_record, name="record"),
    path("plans/<uuid:public_id>/print/", views.plan_print, name="plan_print"),
    path("plans/<uuid:public_id>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("plans/<uuid:public_id>/card/", views.treadmill_card, name="card"),
    path("plans/<uuid:public_id>/card/pdf/", views.treadmill_card_pdf, name="card_pdf"),
    path("patients/<uuid:public_id>/prescribe/", views.prescribe, name="prescribe"),
    path("programs/<uuid:public_id>/", views.prescription_detail, name="prescription"),
    path("programs/<uuid:public_id>/history/", views.prescription_history, name="history"),
    path("programs/<uuid:public_id>/summary/", views.program_summary, name="summary"),
    path("programs/<uuid:public_id>/summary/pdf/", views.program_summary_pdf, name="summary_pdf"),
    path("programs/<uuid:public_id>/closing-note/", views.prescription_closing_note, name="closing_note"),
    path("programs/<uuid:public_id>/adjust/", views.prescription_adjust, name="adjust"),
    path("programs/<uuid:public_id>/pause/", views.prescription_pause, name="pause"),
    path("programs/<uuid:public_id>/resume/", views.prescription_resume, name="resume"),
    path("programs/<uuid:public_id>/stop/", views.prescription_stop, name="stop"),
    path("programs/<uuid:public_id>/complete/", views.prescription_complete, name="complete"),
    path("programs/<uuid:public_id>/review/", views.progression_apply, name="review"),
    path("programs/<uuid:public_id>/log/", views.session_log_create, name="log"),
    path("programs/<uuid:public_id>/log/sync/", views.session_log_sync, name="log_sync"),
    path("programs/<uuid:public_id>/timer/", views.session_timer, name="timer"),
    path("sessions/<uuid:public_id>/next-day/", views.session_log_next_day, name="next_day"),
]
