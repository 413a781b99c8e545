// An injected fetch that answers from a script and records every request it was sent.
export type Step = Response | Error | ((request: Request) => Response | Promise<Response>);

export interface ScriptedFetch {
  fetch: typeof globalThis.fetch;
  requests: Request[];
  /** The bodies of the requests, parsed as JSON. */
  bodies(): Promise<unknown[]>;
}

/** A JSON response with the given status and headers. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** A fetch of the caller's that never settles and never listens to the request's signal. */
export const deaf: Step = () => new Promise<Response>(() => {});

/** A 200 whose body sends `start`, then nothing, ever; the body is the caller's fetch's, deaf to the signal. */
export const stalledAfter =
  (start: string): Step =>
  () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(start));
        },
      }),
      { status: 200 },
    );

/** Answers each request with the next step; the last step repeats. */
export function scriptedFetch(...steps: Step[]): ScriptedFetch {
  const requests: Request[] = [];
  const clones: Request[] = [];
  // Note: fetch's own signature: the client sends a Request by its parts (url, init), raw a Request.
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    clones.push(request.clone());
    const step = steps.length > 1 ? steps.shift() : steps[0];
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(request);
    return (step as Response).clone();
  }) as typeof globalThis.fetch;
  return { fetch, requests, bodies: () => Promise.all(clones.map((r) => r.text().then((t) => (t ? JSON.parse(t) : undefined)))) };
}
