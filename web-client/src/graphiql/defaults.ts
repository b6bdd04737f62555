// What a newcomer sees in an empty explorer: how to sign in and where the token goes.

export const DEFAULT_QUERY = `# Welcome to Switchboard's GraphQL explorer.
#
# 1. Sign in: put your e-mail and password in the
#    mutation below and run it (the play button,
#    or Ctrl-Enter).
# 2. Copy the accessToken from the answer into the
#    Headers tab below this editor:
#      { "Authorization": "Bearer <accessToken>" }
#    An API key goes there the same way.
#    Subscriptions (over /graphql/ws) send these
#    headers in connection_init.
# 3. Run queries such as { me { role user { email } } }.
#    The Docs button (top left) lists every operation.
#    When answers say UNAUTHENTICATED, the token has
#    expired: run the refresh mutation with the
#    refreshToken, or sign in again.

mutation SignIn {
  login(
    email: "admin@switchboard.local"
    password: "<your password>"
  ) {
    accessToken
    refreshToken
    user {
      email
      role
    }
  }
}
`;

export const DEFAULT_HEADERS = `{
  "Authorization": "Bearer <paste the accessToken here>"
}
`;
