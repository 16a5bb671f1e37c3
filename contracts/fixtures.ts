import { randomBytes } from 'node:crypto';
import type { AgentCreate, SipConnectionCreate } from '../emulator/generated/index.js';
import type { ContractProfile } from './types.js';

/**
 * The SIP passwords the suite sends, random per run so that finding one in a response can only
 * mean the API leaked it (and a leak on the live API exposes nothing real).
 */
export const sipPassword = `contract-secret-${randomBytes(8).toString('hex')}`;
export const newSipPassword = `contract-secret-${randomBytes(8).toString('hex')}`;
export const contractSecrets: readonly string[] = [sipPassword, newSipPassword];

/** The companion the guide's examples use; the live API may need a real one (`--companion-id`). */
export const defaultCompanionId = 'comp_abc123';

/** The SIP guide's "Create an Agent" body; the latest profile takes the language as an ISO 639-1 code. */
export function guideAgentBody(companionId = defaultCompanionId, profile: ContractProfile = 'guide'): AgentCreate {
  return {
    companionId,
    name: 'Support Agent',
    voiceId: 'alloy',
    language: profile === 'latest' ? 'en' : 'English',
    functions: ['fn_order_status', 'fn_returns'],
    faqCollections: ['faq_support'],
    knowledgeBaseId: 'kb_product_docs',
    providerSettings: { temperature: 0.7, turnDetection: { threshold: 0.9, silence_duration_ms: 500 } },
  };
}

/** The API reference's sample: the required fields only (three in the guide; the latest profile requires `name` too). */
export function minimalAgentBody(companionId = defaultCompanionId, profile: ContractProfile = 'guide'): AgentCreate {
  return { companionId, ...(profile === 'latest' ? { name: 'Minimal Agent' } : {}), voiceId: 'alloy', providerSettings: {} };
}

/** The fields an agent create requires in a profile. */
export const requiredAgentFields = (profile: ContractProfile) => ['companionId', 'voiceId', 'providerSettings', ...(profile === 'latest' ? ['name'] : [])] as const;

/** The SIP guide's "Set up the SIP channel" body. */
export const guideHandoff = {
  humanHandoff: {
    enabled: true,
    transferExtension: '200',
    transferDescription: 'Transfer when the caller asks for a human or the issue cannot be resolved',
  },
};

/** The SIP guide's "Create a SIP Connection" body, with the suite's own password. */
export function guideSipConnectionBody(agentId: string): SipConnectionCreate {
  return {
    agentId,
    name: 'Main Support Line',
    settings: {
      server: 'sip.your-provider.com',
      port: 5060,
      domain: 'your-provider.com',
      username: 'your-sip-username',
      password: sipPassword,
      transport: 'TCP',
      callerId: 'support-line-01',
    },
  };
}

/** The guide's settings as a response shows them: without the password. */
export function guideSettingsAsReturned(): Record<string, unknown> {
  const { password: _password, ...rest } = guideSipConnectionBody('unused').settings;
  return rest;
}

/** An id no API would ever have handed out. */
export const unknownId = (prefix: string) => `${prefix}_doesnotexist${randomBytes(6).toString('hex')}`;
