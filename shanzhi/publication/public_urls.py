"""Public pages, mounted at /p/ (no login; the session middleware exempts /p/)."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("village/<str:code>/", public_views.board, name="publication_board"),
    path("<str:public_id>/", public_views.public_page, name="publication_public"),
    path("<str:public_id>/verify.json", public_views.verify_json, name="publication_verify_json"),
    path("<str:public_id>/notice.pdf", public_views.notice, name="publication_notice"),
    path("<str:public_id>/o/<str:receipt>/", public_views.objection_receipt, name="publication_objection_receipt"),
]
