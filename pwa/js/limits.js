// Generated from the server's constants by api/limits.py (python -m api.limits > pwa/js/limits.js): do not edit.
export const LIMITS = {"name": 60, "label": 40, "usernameMin": 3, "usernameMax": 32, "passwordMin": 8, "passwordMax": 256, "device": 120, "recallSeconds": 10, "search": 200, "meetingTitle": 120, "counterpart": 120, "pseudonym": 40, "sourceNotes": 4000, "claim": 2000, "give": 1000, "assessmentNote": 500};
export const USERNAME = new RegExp("^[A-Za-z0-9_.-]{3,32}$");
