from django.urls import path

from . import views

urlpatterns = [
    path("", views.finance_index, name="finance_index"),
    path("villages/", views.finance_overview, name="finance_overview"),
    path("villages/open/", views.ledger_open, name="finance_ledger_open"),
    path("approvals/", views.approvals, name="finance_approvals"),
    path("ledgers/<int:pk>/", views.ledger_page, name="finance_ledger"),
    path("ledgers/<int:pk>/new/", views.entry_new, name="finance_entry_new"),
    path("ledgers/<int:pk>/statements/", views.statements, name="finance_statements"),
    path("ledgers/<int:pk>/months/<str:month>/", views.month_page, name="finance_month"),
    path("ledgers/<int:pk>/chain/", views.chain_page, name="finance_chain"),
    path("ledgers/<int:pk>/categories/", views.categories_page, name="finance_categories"),
    path("ledgers/<int:pk>/books/", views.books_page, name="finance_books"),
    path("entries/<int:pk>/", views.entry_page, name="finance_entry"),
    path("entries/<int:pk>/<str:action>/", views.entry_action, name="finance_entry_action"),
]
