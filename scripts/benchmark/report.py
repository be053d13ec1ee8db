"""The readable summary printed after the JSON lines: figures, targets met or missed, noise, and the verdict."""

from __future__ import annotations

from typing import Any

TITLES = {
    "team_fanout": "1. Team fan-out",
    "many_teams": "2. Many teams",
    "idle_connections": "3. Idle connections",
    "push": "4. Push",
    "offline_flush": "5. Offline flush",
    "hops_per_send": "6. Hops per send",
    "meetings": "7. Meetings",
}


def _latency(latency: dict[str, Any]) -> str:
    return f"p50 {latency['p50_ms']} / p95 {latency['p95_ms']} / p99 {latency['p99_ms']} / max {latency['max_ms']} ms"


def _deliveries(counts: dict[str, Any]) -> str:
    text = f"deliveries {counts['received']}/{counts['expected']}"
    extra = [f"{counts[k]} {k}" for k in ("missing", "duplicates", "strays") if counts.get(k)]
    return text + (f" ({', '.join(extra)})" if extra else "")


def _server(result: dict[str, Any]) -> str:
    server, noise = result["server"], result["noise"]
    text = (
        f"server RSS {server['rss_mib_before']} -> {server['rss_mib_after']} MiB, "
        f"CPU {server['cpu_s_before']} -> {server['cpu_s_after']} s ({server['core_busy']:.0%} of its core); "
        f"other processes {noise['others_cpu_s']} s ({noise['others_share_of_a_core']:.0%} of a core)"
    )
    return text + (" UNRELIABLE" if noise["unreliable"] else "")


def _figures(result: dict[str, Any]) -> list[str]:
    kind = result["scenario"]
    if "error" in result:
        return [f"FAILED: {result['error']}"]
    lines = []
    if kind == "team_fanout":
        lines.append(f"{result['users']} users, {result['receivers']} receivers, {result['warmup_messages']} warm-up")
        for name, phase in result["phases"].items():
            lines.append(
                f"{name}: {phase['accepted_per_s']} accepted msg/s, latency {_latency(phase['latency'])}, "
                f"send rtt p50 {phase['send_rtt_p50_ms']} ms, {_deliveries(phase['deliveries'])}"
            )
    elif kind == "many_teams":
        errors = result["errors"]
        lines.append(
            f"{result['teams']} teams x {result['team_size']}: {result['sockets']} sockets in {result['connect_s']} s, "
            f"{result['accepted']}/{result['messages']} cues at {result['rate_per_s']:g}/s"
        )
        lines.append(f"latency {_latency(result['latency'])}, {_deliveries(result['deliveries'])}")
        lines.append(
            f"RSS {result['rss_mib_idle_server']} -> {result['rss_mib_connected']} MiB connected "
            f"({result['rss_kib_per_connection']} KiB per connection); errors: {errors['connect']} connect, "
            f"{errors['failed_sends']} sends, {errors['skipped_sends']} skipped, {errors['dropped_sockets']} dropped"
        )
    elif kind == "idle_connections":
        steps = ", ".join(f"{s['connections']}: {s['rss_mib']}" for s in result["steps"])
        lines.append(
            f"held {result['held_under_1_gib']} of {result['max_tried']} under 1 GiB "
            f"({result['rss_kib_per_connection']} KiB per connection); errors: {result['errors']['connect']} connect, "
            f"{result['errors']['dropped_sockets']} dropped"
        )
        lines.append(f"RSS MiB by connections: {steps}")
    elif kind == "push":
        d = result["deliveries"]
        lines.append(
            f"{result['messages']} cues x {result['devices']} devices: {result['pushes_per_s']} pushes/s "
            f"(steady {result['pushes_per_s_steady']}/s), all in {result['all_pushes_s']} s, "
            f"{d['received']}/{d['expected']} verified, {d['duplicates']} duplicates, "
            f"{len(result['errors']['verification'])} verification errors; the verifying sink used "
            f"{result['sink_core_busy']:.0%} of its core"
        )
    elif kind == "hops_per_send":
        lines.append(
            f"{result['sends']} sends in process: {result['hops']} trips to a database thread, "
            f"{result['hops_per_send']} per send"
        )
        return lines
    elif kind == "meetings":
        floor, esc = result["floor"], result["escalations"]
        lines.append(
            f"{result['teams']} live meetings x {result['team_size']} ({result['sockets']} sockets): "
            f"{floor['cycles']}/{floor['planned_cycles']} floor cycles (request, grant, release) "
            f"in {floor['seconds']} s, {floor['requests_per_s']} requests/s, "
            f"{floor['failed_requests']} failed, {floor['cut_cycles']} cut"
        )
        for what, where in (("requested", "the lead's"), ("granted", "the member's")):
            figures = floor[what]
            lines.append(
                f"{what} on {where} socket: {_latency(figures['latency'])}, {_deliveries(figures['deliveries'])}"
            )
        stops = esc["acknowledged_at_once"]
        lines.append(
            f"re-buzz after {esc['every_seconds']} s, late past due by {_latency(esc['lateness'])}, "
            f"{_deliveries(esc['rebuzzes'])}; acknowledged at once: "
            f"{stops['stopped_acknowledged']}/{stops['expected']} stopped, {stops['rebuzzed']} re-buzzed"
        )
    elif kind == "offline_flush":
        lines.append(
            f"{result['queued']} queued: flushed in {result['flush_http_ms']} ms, all delivered after "
            f"{result['all_delivered_ms']} ms, {_deliveries(result['deliveries'])}"
        )
    lines.append(_server(result))
    return lines


def summary(results: list[dict[str, Any]], header: list[str], *, quick: bool = False) -> str:
    out = ["", "=" * 100, *header, ""]
    for result in results:
        verdict = "ok" if result.get("ok") else "COUNTS WRONG"
        out.append(f"{TITLES.get(result['scenario'], result['scenario'])}  [{verdict}]  ({result['duration_s']} s)")
        out.extend(f"   {line}" for line in _figures(result))
    out += ["", "Targets (set for the full run; a quick run only checks counts):" if quick else "Targets:"]
    for result in results:
        for t in result.get("targets", []):
            mark = "met   " if t["met"] else "MISSED"
            out.append(f"  [{mark}] {TITLES[result['scenario']][3:]}: {t['what']}: {t['value']} ({t['target']})")
    noisy = [r["scenario"] for r in results if r.get("noise", {}).get("unreliable")]
    out.append("")
    out.append(
        f"Noise: figures of {', '.join(noisy)} are unreliable (other processes were busy on our cores)"
        if noisy
        else "Noise: other processes stayed under the limit in every scenario; figures are reliable"
    )
    wrong = [r["scenario"] for r in results if not r.get("ok")]
    out.append(f"Counts: WRONG in {', '.join(wrong)}" if wrong else "Counts: all ok (nothing lost, nothing duplicated)")
    return "\n".join(out)
