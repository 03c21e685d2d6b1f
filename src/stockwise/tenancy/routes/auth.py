"""Signup, tokens, refresh, logout and the caller's own profile and preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from stockwise.core.errors import Forbidden, Unauthorized, problems
from stockwise.core.unit_of_work import SystemReason
from stockwise.tenancy import auth_service, settings_service, users_service
from stockwise.tenancy.auth_service import TokenPolicy
from stockwise.tenancy.dependencies import State, UoW, principal_of, token_policy
from stockwise.tenancy.schemas import (
    ClientRead,
    LogoutRequest,
    MeRead,
    Preferences,
    PreferencesUpdate,
    RefreshRequest,
    SignupRead,
    SignupRequest,
    TokenRead,
    UserRead,
)

router = APIRouter(tags=["auth"])
Policy = Annotated[TokenPolicy, Depends(token_policy)]


def _client_ip(request: Request) -> str:
    """uvicorn has already applied the trusted-proxy list; never read X-Forwarded-For here."""
    return request.client.host if request.client else "unknown"


@router.post(
    "/auth/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=SignupRead,
    responses=problems(403, 409, 422, 429),
)
async def signup(body: SignupRequest, request: Request, state: State) -> SignupRead:
    """Create a tenant and its first admin (only when signup is enabled)."""
    if not state.settings.is_signup_enabled:
        raise Forbidden("Signup is disabled on this server")
    await state.rate_limiter.check(
        [(state.settings.rate_limit_signup_per_ip, ("signup", _client_ip(request)))]
    )
    password_hash = await state.hasher.hash(body.password)  # before the transaction: it is slow
    async with state.uow.system(SystemReason.SIGNUP) as uow:
        client, user = await auth_service.signup(uow, body, password_hash=password_hash)
    return SignupRead(client=ClientRead.model_validate(client), user=UserRead.model_validate(user))


async def _check_login_rate(state: State, request: Request, username: str) -> None:
    """Per IP+username, plus a higher per-username ceiling: nobody can cheaply lock a victim out."""
    name = username.strip().casefold()
    settings = state.settings
    await state.rate_limiter.check(
        [
            (settings.rate_limit_login_per_ip_user, ("login", _client_ip(request), name)),
            (settings.rate_limit_login_per_user, ("login-user", name)),
        ]
    )


@router.post("/auth/token", response_model=TokenRead, responses=problems(401, 422, 429))
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, state: State, policy: Policy
) -> TokenRead:
    """Exchange email (as `username`) and password for an access and a refresh token."""
    await _check_login_rate(state, request, form.username)
    async with state.uow.system(SystemReason.AUTHENTICATION) as uow:
        candidate = await auth_service.find_login(uow, email=form.username)
    # Between two short transactions: a write transaction must not stay open while argon2 runs.
    user_id = await auth_service.check_password(state.hasher, candidate, form.password)
    async with state.uow.system(SystemReason.AUTHENTICATION) as uow:
        return await auth_service.start_session(uow, user_id=user_id, policy=policy)


@router.post("/auth/refresh", response_model=TokenRead, responses=problems(401, 422, 429))
async def refresh(body: RefreshRequest, request: Request, state: State, policy: Policy) -> TokenRead:
    """Rotate a refresh token; reusing a spent one revokes its whole family."""
    await state.rate_limiter.check(
        [(state.settings.rate_limit_login_per_user, ("refresh", _client_ip(request)))]
    )
    async with state.uow.system(SystemReason.AUTHENTICATION) as uow:
        tokens = await auth_service.rotate_refresh_token(uow, body.refresh_token, policy)
    if tokens is None:
        raise Unauthorized("Refresh token reused; all sessions of this login were revoked")
    return tokens


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 422))
async def logout(body: LogoutRequest, uow: UoW) -> None:
    """Revoke a refresh token's family, or every session of the caller with `all_sessions`."""
    await auth_service.logout(uow, refresh_token=body.refresh_token, all_sessions=body.all_sessions)


@router.get("/me", response_model=MeRead, responses=problems(401))
async def me(uow: UoW) -> MeRead:
    """The authenticated user and their tenant."""
    user = await users_service.get_user(uow, user_id=principal_of(uow).user_id)
    client = await users_service.get_client(uow)
    return MeRead.model_validate(
        {**UserRead.model_validate(user).model_dump(), "client": ClientRead.model_validate(client)}
    )


@router.get("/me/preferences", response_model=Preferences, responses=problems(401))
async def get_preferences(uow: UoW) -> Preferences:
    """The caller's UI preferences (defaults where unset)."""
    return await settings_service.get_preferences(uow)


@router.patch("/me/preferences", response_model=Preferences, responses=problems(401, 422))
async def patch_preferences(body: PreferencesUpdate, uow: UoW) -> Preferences:
    """Merge the given keys into the caller's preferences; unknown keys are a 422."""
    return await settings_service.update_preferences(uow, body)
