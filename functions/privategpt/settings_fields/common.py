"""Types the field groups share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic_settings import NoDecode

AuthProvider = Literal["cognito", "keycloak", "local"]
CommaList = Annotated[list[str], NoDecode]  # comma-separated in the environment (see Settings._split_commas)
LOCAL_ISSUER = "privategpt-local"
