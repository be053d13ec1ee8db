// The team's meetings: the live one (join, end), planned ones (start), ended ones (their debrief); a lead plans one.
import { h, field, toast, fieldError, showFieldErrors } from '../ui.js';
import { S, team, isLead, channelName, channel } from '../store.js';
import { planMeeting, meetingDo, loadMeetings, errorText } from '../actions.js';
import { bar } from '../components/bar.js';
import { liveCard } from '../components/meeting.js';
import { endMeeting } from '../components/floor.js';

const STATE_ORDER = { live: 0, planned: 1, ended: 2 };
/** @param {number | null} at */
const when = (at) => at == null ? '' : new Date(at).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** @param {View} v */
export function meetingsScreen(v) {
  const teamId = S.teamId;
  const lead = isLead();
  const list = h('div', { class: 'stack' });
  const say = (/** @type {unknown} */ ex) => toast(errorText(ex));
  const item = (/** @type {Meeting} */ m) => {
    if (m.state === 'live') return h('div', { class: 'stack' }, liveCard(v, m), lead ? h('button', { class: 'secondary', type: 'button', onclick: () =>
      endMeeting(v, m).catch(say) }, 'End meeting') : null);
    return h('div', { class: 'item' }, h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, m.title),
      h('small', null, [m.counterpart && `With ${m.counterpart}`, m.state === 'planned' ? (m.planned_at ? `Planned ${when(m.planned_at)}` : 'Planned')
        : `Ended ${when(m.ended_at)}`].filter(Boolean).join(' · '))),
    m.state === 'planned' ? (lead ? h('button', { class: 'small primary', type: 'button', 'aria-label': `Start ${m.title}`, onclick: () =>
      meetingDo(m.id, 'start').then(() => v.go(`/meetings/${m.id}/table`), say) }, 'Start') : null)
      : channel(m.channel_id) ? h('a', { class: 'button small secondary', href: `/meetings/${m.id}/debrief`, 'aria-label': `Debrief of ${m.title}` }, 'Debrief')
        : null); // a debrief tells of its channel's cues: for that channel's people only
  };
  const paint = () => {
    const all = Object.values(S.meetings).filter((m) => m.team_id === teamId)
      .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.state === 'planned' ? (a.planned_at ?? Infinity) - (b.planned_at ?? Infinity) : (b.ended_at || 0) - (a.ended_at || 0)));
    list.replaceChildren(...(all.length ? all.map(item) : [h('p', { class: 'muted' }, lead ? 'No meetings yet: plan one below.' : 'No meetings yet: a lead plans them.')]));
  };
  paint();
  v.on('meetings', paint);
  if (teamId != null) loadMeetings(teamId).catch(() => {});
  return h('main', { class: 'screen' }, bar(v, 'Meetings', { back: '/' }),
    h('div', { class: 'content stack' }, list, lead && teamId != null ? planForm(v, teamId) : null));
}

/** @param {View} v @param {number} teamId */
function planForm(v, teamId) {
  const title = h('input', { name: 'title', required: true, maxlength: '120', placeholder: 'e.g. Pricing round 2' });
  const counterpart = h('input', { name: 'counterpart', required: true, maxlength: '120', placeholder: 'e.g. Acme' });
  const at = h('input', { name: 'planned_at', type: 'datetime-local' });
  const chans = team(teamId).channels.filter((c) => c.kind !== 'direct' && c.kind !== 'source'); // never a source's conversation
  const channel = h('select', { name: 'channel' }, chans.map((c) => h('option', { value: String(c.id), selected: c.kind === 'everyone' }, channelName(c))));
  const form = h('form', { class: 'card stack', novalidate: true }, h('h2', null, 'Plan a meeting'), field('Title', title),
    field('Counterpart', counterpart, 'The other side'), field('Planned start (optional)', at), field('Cues go to', channel),
    h('button', { class: 'primary', type: 'submit' }, 'Plan meeting'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let first = null;
    for (const [input, text] of /** @type {[HTMLInputElement, string][]} */ ([[title, 'Enter a title.'], [counterpart, 'Enter who you meet.']])) {
      fieldError(input, input.value.trim() ? '' : text);
      first ||= input.value.trim() ? null : input;
    }
    if (first) return first.focus();
    planMeeting(teamId, { title: title.value.trim(), counterpart: counterpart.value.trim(),
      planned_at: at.value ? new Date(at.value).getTime() : null, channel_id: +channel.value })
      .then(() => { form.reset(); toast('Meeting planned.'); }, (ex) => { if (!showFieldErrors(form, ex)) toast(errorText(ex)); });
  });
  return form;
}
