// Types for the JSDoc of the app's state, reducers and screens (pwa/js/store*, screens/, components/). Read by
// TypeScript's checker only; never served (it lives outside pwa/, so it costs the shell nothing). Global
// declarations, so a module's JSDoc names them without an import.

interface User { id: number; username: string; display_name: string }
interface TeamSummary { id: number; name: string; role: string }
/** A guest's conversation (docs/sources.md). */
interface Contact { channel_id: number; user_id: number; session_id?: number; handler_id: number; handler_name: string; started_at: number; handed_from?: string }
interface Ack { user_id: number; at: number }
interface AckDone { message_id: number; channel_id: number; user_id: number; at: number }
interface Message {
  id: number; cursor: number; team_id: number; channel_id: number; sender_id: number; client_id: string;
  kind: string; text?: string | null; cue?: string | null; created_at: number; acks?: Ack[];
  composed_at?: number | null; // when it was written (offline, earlier than created_at)
  recalled_at?: number | null; // its sender recalled it (a mis-tapped cue)
}
interface Receipt { user_id: number; delivered: number; read: number }
interface Channel {
  id: number; team_id: number; kind: string; name: string; member_ids: number[]; unread: number; last_read: number;
  receipts?: Receipt[];
}
interface Cue { code: string; label: string; rhythm: number[]; urgency: string; ttl_seconds: number }
interface Member { user_id: number; username: string; display_name: string; role: string }
interface TeamData { channels: Channel[]; cues: Cue[]; members: Member[]; sources?: Source[]; intel?: IntelEntry[] }

/** Everything the app knows on this device (store/reduce.js createState). */
interface State {
  me: User | null;
  teams: TeamSummary[];
  teamId: number | null;
  team: Record<number, TeamData>;
  cursor: number | null; // the last event applied
  prefs: { level: string }; // what my pushes say
  lastCue: { message: Message; at: number } | null; // for table mode
  lastChannel: number | null;
  live: string;
  viewing: number[]; // the channels on screen (on a wide screen, up to three side by side)
  back: number[]; // of those, the ones scrolled back to older pages: they keep them past KEEP
  replaying: boolean;
  neutral: boolean; // table mode shows its clock
  meetings: Record<number, Meeting>; // by id, the newest state of each
  escalations: Record<number, Escalation>; // by the cue's message id
  contact?: Contact | null; // on a source's phone (a guest): its one conversation
  messages: Map<number, Message[]>; // channel id -> messages by cursor
}

/** What a reducer may know of the device. */
interface Env { visible: boolean; now: number }
/** The side effects a reducer may ask for (store/sync.js runs them). */
type Effect = 'settled' | 'markRead' | 'refreshAll' | 'buzz';
type Change = import('../pwa/js/store/reduce.js').Change;
/** One reducer per stored event type: a new type in the catalogue without one fails the check. */
type EventReducers = { [T in EventType]: (s: State, d: any, ev: StoredEvent, env: Env) => Change };

/** A message's outbox item while the server lacks it (the fields the screens read). */
interface Pending { state: string; error?: string | null; client_id: string; channel_id: number; kind: string }
/** A rung of the receipt ladder: step 0 for a send that stopped (expired, refused). */
interface Rung { state: string; step: number; label: string }

/** What a screen gets from the router: navigation, and subscriptions and cleanups that end with the screen. */
interface View {
  go(to: string, replace?: boolean): unknown;
  on(topic: string, fn: (arg: any) => void): void;
  cleanup(fn: () => void): void;
}
type ScreenOf = (v: View, ...args: string[]) => HTMLElement | void | Promise<HTMLElement | void>;
