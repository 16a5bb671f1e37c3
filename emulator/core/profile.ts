/**
 * Which service omnisip emulates (`omnisip start --api-profile`):
 * - `guide`: the vendor's SIP guide and the hackathon-era docs (openapi.yaml as it is). Plain
 *   language names, `name` optional, no kiosk channel; SIP connections are a private preview the
 *   control plane can switch off per project; no quota, no outbound calls.
 * - `latest`: the docs of August 2026 (openapi.yaml with openapi-latest.overlay.yaml applied).
 *   ISO 639-1 languages, `name` required, `useWebSearch` and `mcp` on agents, the kiosk channel,
 *   the `sipPods` quota (0 until a request is approved) and outbound calls.
 */
export type ApiProfile = 'guide' | 'latest';
export const apiProfiles: readonly ApiProfile[] = ['guide', 'latest'];
