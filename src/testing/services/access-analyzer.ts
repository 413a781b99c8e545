// The AccessAnalyzer service of the fake: every role a subject holds on any resource the fake models, gathered through the
// context (`subjectBindings`: the service accounts' bindings today), in the fake's one organization (any other is
// NOT_FOUND), page by page.
import type { components } from "../../../generated/schema.js";
import { failure } from "../answers.js";
import { DEFAULT_ORGANIZATION_ID, places } from "../data.js";
import { placedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";

type SubjectAccessBinding = components["schemas"]["SubjectAccessBinding"];

/** A binding as one comparable text: its resource and role (the subject is the one asked about). */
const placeKey = (b: SubjectAccessBinding) => JSON.stringify([b.resource.type, b.resource.id, b.roleId]);

/** The AccessAnalyzer service: it keeps nothing of its own but the bindings' places, for page tokens. */
export default function accessAnalyzerService({ options, subjectBindings }: FakeContext) {
  const organizationId = options.organizationId ?? DEFAULT_ORGANIZATION_ID;
  const order = places();
  return {
    handlers: {
      listSubjectAccessBindings({ query }) {
        if (query.organizationId !== organizationId) return failure(5, `Organization ${query.organizationId} not found`);
        return placedPage("subjectAccessBindings", subjectBindings(query.subjectId), order, query, placeKey);
      },
    },
    // Note: what it answers is the other services' state, so it has none to show.
    state: () => ({}),
    reset() {
      order.clear();
    },
  } satisfies FakeService & Record<string, unknown>;
}
