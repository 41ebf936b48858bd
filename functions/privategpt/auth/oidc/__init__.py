"""A small OpenID Connect provider for development: authorization code + PKCE (S256) with a user-name page, refresh
tokens, discovery and logout, in front of the local issuer. Mounted only for ``PGPT_AUTH_PROVIDER=local``
(which settings refuse inside Lambda), so the web app signs in the same way in every mode."""
