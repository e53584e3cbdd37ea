/** A single sign-on in progress (migration 0013): what the callback must find, used once. */
export interface SignInFlowsTable {
  /** sha256 (hex) of the flow cookie's value: the browser that started the sign-in. */
  id: string;
  state: string;
  nonce: string;
  /** The PKCE code verifier (S256). */
  codeVerifier: string;
  /** The application path to land on after the sign-in. */
  returnTo: string;
  createdAt: string;
  expiresAt: string;
}
