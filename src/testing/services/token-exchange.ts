// The token exchange of the fake (RFC 8693, workload identity federation): a platform's ID token, checked as a federation
// checks it, for an IAM token of the service account a federated credential links the token's subject to; refused as an
// OAuth endpoint refuses (RFC 6749 §5.2), in words that say which part of the token was refused and never quote it.
import type { components } from "../../../generated/schema.js";
import { answer, oauthFailure } from "../answers.js";
import { jwtPart } from "../data.js";
import { checkIdToken, type Jwks } from "../oidc.js";
import type { FakeContext, FakeService } from "../types.js";

type OidcFederation = components["schemas"]["OidcFederation"];

/** What the exchange asks for, as the router checked it against the document. */
interface ExchangeForm {
  subject_token: string;
  audience: string;
}

/** The token exchange: its checks read federations, credentials and accounts through the context, and it issues IAM tokens there. */
export default function tokenExchangeService({
  options,
  serviceAccounts,
  now,
  refusal,
  federationsOf,
  federatedAccounts,
  issueIamToken,
}: FakeContext) {
  /** The key set a federation's JWKS URL serves, from the sources the fake was given (it fetches none); undefined if none has it. */
  async function keysAt(jwksUrl: string): Promise<Jwks | undefined> {
    return options.jwks?.find((source) => source.jwksUrl === jwksUrl)?.jwks();
  }

  /**
   * The enabled federations that trust the token and whose checks it passes (its signature against the federation's key
   * set, `aud` among its audiences, its times on the fake's clock), with its `sub`; else why it is refused, the part first.
   */
  async function trusted(jwt: string): Promise<{ federations: OidcFederation[]; subject: unknown } | { problem: string }> {
    const claims = jwtPart(jwt.split(".")[1]);
    if (!claims) return { problem: "malformed: the ID token's payload is not base64url JSON" };
    const trusting = federationsOf(String(claims.iss));
    if (!trusting.length) return { problem: `issuer: no federation trusts the issuer ${JSON.stringify(claims.iss)}` };
    const enabled = trusting.filter((federation) => federation.enabled);
    if (!enabled.length) return { problem: `issuer: every federation that trusts ${JSON.stringify(claims.iss)} is disabled` };
    const federations: OidcFederation[] = [];
    let first: string | undefined;
    for (const federation of enabled) {
      const jwks = await keysAt(federation.jwksUrl ?? "");
      if (!jwks) {
        first ??= `signature: the fake has no key set for the JWKS URL ${federation.jwksUrl} (it fetches none: give it to createFakeIam's jwks option)`;
        continue;
      }
      const checked = await checkIdToken(jwt, { jwks, issuer: federation.issuer ?? "", audiences: federation.audiences ?? [], now: now() });
      if ("problem" in checked) first ??= checked.problem;
      else federations.push(federation);
    }
    return federations.length ? { federations, subject: claims.sub } : { problem: first as string };
  }

  return {
    handlers: {
      async exchangeToken({ body }) {
        const { subject_token: jwt, audience: serviceAccountId } = body as ExchangeForm;
        const checked = await trusted(jwt);
        // Note: RFC 8693 §2.2.2: a subject token that is not accepted, for any reason, is `invalid_request`.
        if ("problem" in checked) return oauthFailure(400, "invalid_request", checked.problem);
        // Note: and no token for the target named by `audience` is `invalid_target`.
        if (!serviceAccounts.includes(serviceAccountId))
          return oauthFailure(400, "invalid_target", `Service account ${serviceAccountId} not found`);
        const { federations, subject } = checked;
        if (!federations.some((federation) => federatedAccounts(federation.id, String(subject)).includes(serviceAccountId)))
          return oauthFailure(
            400,
            "invalid_request",
            `subject: no federated credential of ${federations.map((f) => `federation ${f.id}`).join(" or ")} links the subject ${JSON.stringify(subject)} to service account ${serviceAccountId}`,
          );
        // Note: the token was accepted, so the caller is who it says; an account that may not authenticate is refused as not permitted.
        const refused = refusal(serviceAccountId);
        if (refused) return oauthFailure(403, "invalid_target", `Permission denied: ${refused}`);
        const { iamToken, expiresAt } = issueIamToken(serviceAccountId);
        return answer(200, { access_token: iamToken, token_type: "Bearer", expires_in: Math.floor((expiresAt - now()) / 1000) });
      },
    },
    state: () => ({}),
    reset() {},
  } satisfies FakeService & Record<string, unknown>;
}
