// Types for the JSDoc in pwa/: the server's wire shapes and the app's own. Read by TypeScript's checker only
// (tsconfig.json, tsconfig.sw.json); never served, so it lives outside pwa/. Global declarations, so a module's
// JSDoc names them without an import.

/** The one shape of every 4xx/5xx answer. */
interface ApiErrorBody {
  error: string;
  detail: string;
  fields?: Record<string, string>;
}

/** What the server stores and replays (GET /api/sync, the live socket): one catalogue type each. */
type EventType =
  | 'message'
  | 'ack'
  | 'contact'
  | 'member'
  | 'member_removed'
  | 'team_removed'
  | 'channel'
  | 'channel_removed'
  | 'cues'
  | 'history_cleared'
  | 'message_recalled'
  | 'source'
  | 'intel'
  | 'meeting'
  | 'meeting_deleted'
  | 'escalation';

interface StoredEvent {
  cursor: number;
  type: EventType;
  team_id: number;
  channel_id: number | null;
  data: unknown;
}

/** The socket's live-only frames (no cursor, never stored). */
type LiveFrame =
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'ready'; cursor: number }
  | DeliveredFrame
  | { type: 'error'; error: string; detail: string };

/** A teammate's device has every event of a channel up to `through`. */
interface DeliveredFrame {
  type: 'delivered';
  user_id: number;
  channel_id: number;
  through: number;
  read?: number | null; // their read mark, when they read the channel (read receipts)
}

/** What a frame's handler may do on the socket that got it. */
interface LiveLink {
  send(frame: object): boolean;
  ready(cursor: number): void;
  delivered(frame: DeliveredFrame): void;
}

/** One handler per live-only frame type: a new type of frame without one fails the check. */
type LiveFrameHandlers = { [T in LiveFrame['type']]: (live: LiveLink, frame: Extract<LiveFrame, { type: T }>) => void };

type LiveState = 'connecting' | 'live' | 'offline' | 'elsewhere';

/** What connectLive tells its owner. */
interface LiveOptions {
  cursor(): number; // the highest cursor applied, read at each (re)connect
  onEvent(event: StoredEvent): void;
  onDelivered?(frame: DeliveredFrame): void;
  onReady(cursor: number): void;
  onState(state: LiveState): void;
  onOpen(): void;
  onUnauthenticated(): void;
}

/** A running live socket. */
interface Live {
  received(cursor: number): void;
  stop(): void;
}

/** The push switch: on, off, blocked, or why it cannot be (unsupported, install first). */
type PushState = 'on' | 'off' | 'blocked' | 'unsupported' | 'install';

interface Navigator {
  standalone?: boolean; // iOS Safari: launched from the Home Screen
}

/** One search result (GET /api/teams/{id}/search): the message and its snippet, matched words between « and ». */
interface SearchHit {
  id: number;
  channel_id: number;
  cursor: number;
  sender_id: number;
  created_at: number;
  text: string;
  snippet: string;
}

/** Meetings (docs/meetings.md): a team's negotiation session, its seats, floor queue and floor. */
interface Seat { user_id: number; place: string; role: string; joined_at: number }
interface FloorRequest { user_id: number; requested_at: number }
interface Meeting {
  id: number; team_id: number; channel_id: number; title: string; counterpart: string; planned_at: number | null;
  state: 'planned' | 'live' | 'ended'; created_by: number; created_at: number; started_at: number | null;
  ended_at: number | null; seats: Seat[]; queue: FloorRequest[]; floor: { user_id: number; since: number } | null;
  change: { what: string; actor_id: number; user_id: number | null };
}
/** An urgent cue re-buzzing those who have not acknowledged it. */
interface Escalation {
  message_id: number; channel_id: number; meeting_id: number; buzzes: number; pending: number[];
  state: 'active' | 'stopped'; reason: string | null; next_at: number | null;
}
interface Readiness { live: boolean; visible: boolean; push: boolean; last_heard: number | null }
interface Roster { meeting_id: number; seats: (Seat & { ready: Readiness })[]; absent: number[] }

/** Sources and the intel log (docs/sources.md). A HandledSource is the handler's answer only, never an event. */
interface SourceRecord { entries: number; corroborated: number; contradicted: number; known: number }
interface Source {
  id: number; team_id: number; pseudonym: string; handler_id: number; state: 'invited' | 'open' | 'ended';
  created_at: number; joined_at: number | null; ended_at: number | null; record: SourceRecord;
}
interface SourceLink { token: string | null; expires_at: number }
interface HandledSource extends Source { channel_id: number | null; notes: string; link: SourceLink | null }
interface IntelEntry {
  id: number; team_id: number; source_id: number; author_id: number; claim: string; reliability: string;
  credibility: number; said_at: number | null; created_at: number; verdict: 'corroborated' | 'contradicted' | null;
  by_entry_id: number | null; note: string | null; known: boolean; assessed_by: number | null; assessed_at: number | null;
}
interface Give { id: number; source_id: number; author_id: number; what: string; given_at: number; created_at: number }
interface Exchange { source: Source; given: Give[]; got: IntelEntry[] }
