from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ValidationFailed

from . import services


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    username = ""
    if request.GET.get("timeout"):
        error = "您已超过 30 分钟未操作，请重新登录。"
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        password = request.POST.get("password") or ""
        result = services.login_attempt(request=request, username=username, password=password)
        if not result.ok:
            error = result.message
        else:
            login(request, result.user)
            nxt = request.POST.get("next") or request.GET.get("next") or ""
            if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                return redirect(nxt)
            return redirect("home")
    return render(request, "registration/login.html", {"error": error, "username": username,
                                                       "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=AuditAction.LOGOUT, event="logout", obj=request.user)
    logout(request)
    response = redirect("login")
    # A shared phone: the report page kept by the service worker and the offline outbox are the last user's.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    error = ""
    if request.method == "POST":
        new = request.POST.get("new_password") or ""
        if new != (request.POST.get("new_password2") or ""):
            error = "两次输入的新密码不一致。"
        else:
            try:
                services.password_change(user=request.user, old_password=request.POST.get("old_password") or "",
                                         new_password=new)
            except ValidationFailed as exc:
                error = exc.message
            else:
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, request.user)
                messages.success(request, "密码已修改。")
                return redirect("home")
    from .passwords import ComplexityValidator

    return render(request, "registration/password_change.html", {"error": error, "help": ComplexityValidator().get_help_text(),
                                                                 "forced": request.user.must_change_password})
