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
  | 'member'
  | 'member_removed'
  | 'team_removed'
  | 'channel'
  | 'channel_removed'
  | 'cues'
  | 'history_cleared'
  | 'message_recalled';

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
