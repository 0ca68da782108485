// A contact's recordings as an agent reads them (the recordings route's list), and the player for one.
// Each value reaches the page as text; the player is created only when the agent clicks Play, with the
// link the route answered (checked by urls.js before this module sees it), so nothing is fetched from
// S3 before that click.
import { element } from "./render.js";

const MEDIA = { AUDIO: "Audio", VIDEO: "Screen recording" };

/** One list item for `recording`; `onPlay(recording, item, button)` runs when the agent clicks Play. */
export function recordingItem(recording, onPlay) {
  const status = recording.status ?? "UNKNOWN";
  const media = recording.mediaStreamType ?? "UNKNOWN";
  const item = element("li", { attributes: { "data-recording": recording.recordingId ?? "", "data-media": media } }, [
    element("span", { className: "kind", text: MEDIA[media] ?? "Recording" }),
    element("span", { className: "name", text: participant(recording.participantType) }),
    element("span", { className: "value when", text: span(recording.startTimestamp, recording.stopTimestamp) }),
  ]);
  const row = element("span", { className: "file" }, [element("span", { className: `state ${status}`, text: status })]);
  item.append(row);
  if (status === "DELETED") {
    const reason = recording.deletionReason ? `Deleted: ${recording.deletionReason}` : "Deleted.";
    item.append(element("span", { className: "note reason", text: reason }));
  } else if (status === "AVAILABLE" && recording.downloadPath) {
    const button = element("button", { text: "Play", attributes: { type: "button" } });
    button.addEventListener("click", () => onPlay(recording, item, button));
    row.append(button);
  } else {
    // Kinesis storage, or an S3 location outside this deployment's bucket and prefix: no downloadPath.
    item.append(element("span", { className: "note", text: "This recording cannot be played here." }));
  }
  return item;
}

function participant(type) {
  return type ? `${type.charAt(0)}${type.slice(1).toLowerCase()}` : "(no participant)";
}

/** Start and stop in the agent's local time (Connect's value where it is not a date). */
function span(start, stop) {
  const local = (value) => {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
  };
  if (!start) return "";
  return stop ? `${local(start)} to ${local(stop)}` : local(start);
}

/** The player for a link the agent asked for: `<audio controls>`, or `<video controls>` for a screen
 * recording (VIDEO). Created at the click, never before: the browser fetches nothing until then. */
export function player(mediaStreamType, link) {
  const media = document.createElement(mediaStreamType === "VIDEO" ? "video" : "audio");
  media.controls = true;
  media.preload = "auto";
  media.className = "player";
  media.src = link;
  return media;
}
