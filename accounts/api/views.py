"""API views of the accounts app (guide 5.1 auth, 5.2 users, 5.4 teachers). Thin: parse, scope, call a service."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api import serializers as s
from accounts.authentication import PasswordAwareJWTAuthentication
from accounts.filters import TeacherFilter, UserFilter
from accounts.models import User
from quizsite.api.permissions import IsAdmin, IsTeacherOrAdmin

ERRORS = {
    400: OpenApiResponse(description="Invalid input: `detail`, and `errors` per field"),
    401: OpenApiResponse(description="Not authenticated / bad credentials: `detail`"),
    403: OpenApiResponse(description="Forbidden: `detail`"),
    429: OpenApiResponse(description="Too many attempts: `detail`, `Retry-After` header"),
}


class AccountsAPIMixin:
    """Renders AccountThrottled as DRF's Throttled, so the 429 carries a Retry-After header. Access tokens issued
    before the last password change are refused (accounts.authentication)."""

    authentication_classes = [PasswordAwareJWTAuthentication, SessionAuthentication]

    def handle_exception(self, exc):
        if isinstance(exc, services.AccountThrottled):
            exc = exceptions.Throttled(wait=exc.retry_after, detail=exc.message)
        return super().handle_exception(exc)


class NoStoreMixin:
    """Auth answers carry tokens, reset tokens or a profile: no browser or proxy may keep one (errors included)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)  # Cache-Control: no-store (and no-cache, private), Expires now
        return response


class AnonymousAuthView(NoStoreMixin, AccountsAPIMixin, APIView):
    # No authentication: a stale Authorization header must not turn a login or a reset into a 401.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def parse(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _login_payload(user: User, pair: services.TokenPair) -> dict:
    return {
        "access_token": pair.access,
        "refresh_token": pair.refresh,
        "token_type": "bearer",
        "expires_in": pair.expires_in,
        "user": s.AuthUserSerializer(user).data,
    }


class LoginView(AnonymousAuthView):
    @extend_schema(tags=["auth"], request=s.LoginSerializer, responses={200: s.LoginResponseSerializer, **ERRORS})
    def post(self, request):
        data = self.parse(s.LoginSerializer)
        user = services.login_authenticate(
            identifier=data["email_or_reg_no"], password=data["password"], request=request
        )
        return Response(_login_payload(user, services.tokens_issue(user=user)))


class RefreshView(AnonymousAuthView):
    @extend_schema(tags=["auth"], request=s.RefreshSerializer, responses={200: s.RefreshResponseSerializer, **ERRORS})
    def post(self, request):
        data = self.parse(s.RefreshSerializer)
        pair = services.token_refresh(refresh_token=data["refresh_token"], request=request)
        return Response(
            {
                "access_token": pair.access,
                "refresh_token": pair.refresh,
                "token_type": "bearer",
                "expires_in": pair.expires_in,
            }
        )


class LogoutView(NoStoreMixin, AccountsAPIMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], request=s.LogoutSerializer, responses={200: s.MessageSerializer, **ERRORS})
    def post(self, request):
        serializer = s.LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.logout(
            user=request.user,
            refresh_token=serializer.validated_data.get("refresh_token"),
            access_claims=getattr(request.auth, "payload", None),  # None when signed in by session
            request=request,
        )
        return Response({"message": "Logged out successfully"})


class ClaimAccountView(AnonymousAuthView):
    @extend_schema(
        tags=["auth"],
        request=s.ClaimAccountSerializer,
        responses={200: s.ClaimResponseSerializer, 404: OpenApiResponse(description="Unknown number"), **ERRORS},
    )
    def post(self, request):
        data = self.parse(s.ClaimAccountSerializer)
        user = services.account_claim(
            registration_number=data["registration_number"],
            password=data["password"],
            confirm_password=data["confirm_password"],
            claim_code=data.get("claim_code", ""),
            date_of_birth=data.get("date_of_birth"),
            request=request,
        )
        return Response({"message": "Account claimed successfully", "user": s.AuthUserSerializer(user).data})


class ForgotPasswordView(AnonymousAuthView):
    @extend_schema(
        tags=["auth"], request=s.ForgotPasswordSerializer, responses={200: s.ForgotPasswordResponseSerializer, **ERRORS}
    )
    def post(self, request):
        data = self.parse(s.ForgotPasswordSerializer)
        services.password_reset_request(email=data["email"], request=request)
        # The same answer whether or not the address exists, so the endpoint cannot be used to find accounts. The
        # code is only ever in the e-mail, DEBUG or not.
        return Response({"message": "If an account uses this e-mail address, a reset code has been sent to it."})


class VerifyResetCodeView(AnonymousAuthView):
    @extend_schema(
        tags=["auth"],
        request=s.VerifyResetCodeSerializer,
        responses={200: s.VerifyResetCodeResponseSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.parse(s.VerifyResetCodeSerializer)
        token = services.password_reset_verify(email=data["email"], code=data["code"], request=request)
        return Response({"message": "Code verified successfully", "reset_token": token})


class ResetPasswordView(AnonymousAuthView):
    @extend_schema(tags=["auth"], request=s.ResetPasswordSerializer, responses={200: s.MessageSerializer, **ERRORS})
    def post(self, request):
        data = self.parse(s.ResetPasswordSerializer)
        services.password_reset_complete(
            reset_token=data["reset_token"],
            new_password=data["new_password"],
            confirm_password=data["confirm_password"],
            request=request,
        )
        return Response({"message": "Password reset successfully"})


class MeView(NoStoreMixin, AccountsAPIMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], responses={200: s.MeSerializer, 401: ERRORS[401]})
    def get(self, request):
        return Response(s.MeSerializer(selectors.users_for_profile(request.user)).data)


@extend_schema(tags=["users"])
class UserViewSet(
    AccountsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Admins manage admin and teacher accounts (students are created through /students)."""

    permission_classes = [IsAdmin]
    serializer_class = s.UserSerializer
    filterset_class = UserFilter
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return selectors.users_visible_to(self.request.user)

    @extend_schema(request=s.UserCreateSerializer, responses={201: s.UserSerializer, **ERRORS})
    def create(self, request):
        serializer = s.UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        user = services.user_create(
            by=request.user,
            email=d["email"],
            name=d["name"],
            role=d["role"],
            password=d.get("password", ""),
            subject=d.get("subject", ""),
            department=d.get("department", ""),
            phone=d.get("phone", ""),
            request=request,
        )
        return Response(s.UserSerializer(self.get_queryset().get(pk=user.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.UserWriteSerializer, responses={200: s.UserSerializer, **ERRORS})
    def update(self, request, pk=None):
        # PUT is a partial update as well: the SPA sends only the fields that changed.
        user = self.get_object()
        serializer = s.UserWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.user_update(user=user, by=request.user, request=request, **serializer.validated_data)
        return Response(s.UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @extend_schema(request=s.UserWriteSerializer, responses={200: s.UserSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    @extend_schema(responses={200: s.MessageSerializer, **ERRORS})
    def destroy(self, request, pk=None):
        services.user_delete(user=self.get_object(), by=request.user, request=request)
        return Response({"message": "User deleted successfully"})


@extend_schema(tags=["teachers"])
class TeacherViewSet(AccountsAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Teachers' public profiles: admins and teachers; students get 403."""

    permission_classes = [IsTeacherOrAdmin]
    serializer_class = s.TeacherSerializer
    filterset_class = TeacherFilter
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return selectors.teachers_visible_to(self.request.user)

    @extend_schema(responses={200: s.ClassBriefSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def classes(self, request, pk=None):
        teacher = get_object_or_404(self.get_queryset(), pk=pk)
        return Response([s._class_brief(c) for c in teacher.classes.all()])
