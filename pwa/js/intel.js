// What the team does with its sources and the intel log (docs/sources.md): one named function each, its request then
// the state it changes. A handler's answer (notes, link) is returned to the screen that asked and never kept.
import { api } from './api.js';
import { S, commit } from './store.js';
import * as src from './store/sources.js';

/** @template T @param {Promise<T>} asked @param {(s: State, row: any) => import('./store/reduce.js').Change} keep @returns {Promise<T>} */
const kept = async (asked, keep) => { const row = await asked; await commit(keep(S, row)); return row; };
/** @param {string} method @param {string} path @param {object} [body] @returns {Promise<any>} */
const source = (method, path, body) => kept(api(method, path, body), src.sourceChanged);
/** @param {string} method @param {string} path @param {object} [body] @returns {Promise<IntelEntry>} */
const entry = (method, path, body) => kept(api(method, path, body), src.intelChanged);

/** @param {number} teamId */
export const loadSources = async (teamId) => commit(src.sourcesLoaded(S, teamId, await api('GET', `/teams/${teamId}/sources`)));
/** @param {number} teamId */
export const loadIntel = async (teamId) => commit(src.intelLoaded(S, teamId, await api('GET', `/teams/${teamId}/intel`)));
/** A source, as its handler reads it (notes, link) or a teammate. @param {number} id @returns {Promise<Source | HandledSource>} */
export const readSource = (id) => source('GET', `/sources/${id}`);
/** @param {number} teamId @param {string} pseudonym @param {string} notes @returns {Promise<HandledSource>} */
export const addSource = (teamId, pseudonym, notes) => source('POST', `/teams/${teamId}/sources`, { pseudonym, notes });
/** @param {number} id @param {{pseudonym?: string, notes?: string}} body @returns {Promise<HandledSource>} */
export const editSource = (id, body) => source('PATCH', `/sources/${id}`, body);
/** @param {number} id @returns {Promise<SourceLink>} */
export const newLink = (id) => api('POST', `/sources/${id}/link`);
/** @param {number} id @param {number} userId */
export const handOver = (id, userId) => source('POST', `/sources/${id}/handover`, { user_id: userId });
/** @param {number} id */
export const endContact = (id) => source('DELETE', `/sources/${id}`);
/** @param {number} id @returns {Promise<Exchange>} */
export const exchange = (id) => api('GET', `/sources/${id}/exchange`);
/** @param {number} id @param {string} what @param {number} [givenAt] @returns {Promise<Give>} */
export const give = (id, what, givenAt) => api('POST', `/sources/${id}/gives`, givenAt ? { what, given_at: givenAt } : { what });
/** @param {number} sourceId @param {{reliability: string, credibility: number, claim?: string, message_id?: number}} body */
export const logIntel = (sourceId, body) => entry('POST', `/sources/${sourceId}/intel`, body);
/** The whole assessment: the last one wins. @param {number} id @param {{verdict: string | null, by_entry_id?: number | null, note?: string | null, known: boolean}} body */
export const assess = (id, body) => entry('PUT', `/intel/${id}/assessment`, body);
