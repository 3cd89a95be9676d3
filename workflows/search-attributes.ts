// The custom search attributes operators filter by in the Web UI. Never personal data.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const GvsProcess = defineSearchAttributeKey('GvsProcess', SearchAttributeType.KEYWORD);
export const GvsState = defineSearchAttributeKey('GvsState', SearchAttributeType.KEYWORD);
export const GvsWaitingFor = defineSearchAttributeKey('GvsWaitingFor', SearchAttributeType.KEYWORD);
export const GvsCanton = defineSearchAttributeKey('GvsCanton', SearchAttributeType.KEYWORD);
export const GvsUnit = defineSearchAttributeKey('GvsUnit', SearchAttributeType.KEYWORD);
export const GvsCommune = defineSearchAttributeKey('GvsCommune', SearchAttributeType.KEYWORD);
/** A contract's terms version waiting for acceptance ("none" when there is none); a rollout's version. */
export const GvsTermsVersion = defineSearchAttributeKey('GvsTermsVersion', SearchAttributeType.KEYWORD);
/** A terms rollout's progress: contracts notified so far. */
export const GvsNotified = defineSearchAttributeKey('GvsNotified', SearchAttributeType.INT);

/** The rule set a process follows (DOMAIN.md §6): pinned at its start. */
export const GvsRuleSet = defineSearchAttributeKey('GvsRuleSet', SearchAttributeType.KEYWORD);

/** Registered on the namespace at start (`--search-attribute Name=Keyword` on the dev server). */
export const ALL_SEARCH_ATTRIBUTES = [GvsProcess, GvsState, GvsWaitingFor, GvsCanton, GvsUnit, GvsCommune, GvsTermsVersion, GvsNotified, GvsRuleSet];
