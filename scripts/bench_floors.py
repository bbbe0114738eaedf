"""The floors of ``make bench``: for each measured request, one hand-written SQL statement that returns the same
JSON (issue 19). The benchmark runs each beside its request, checks that both answer the same document, and
prints the request's time as a multiple of its floor.

These statements are the measuring stick: they were written, checked and their plans recorded
(``scripts/bench_floors_explain.txt``, made by ``BENCH_EXPLAIN=1 make bench``) *before* any optimisation of the
requests, and are not to be touched afterwards — a floor made slower would flatter every ratio. Each takes its
page as ``%(limit)s`` / ``%(offset)s`` and builds the envelope (``count``, ``next``, ``previous``, ``results``)
itself; the API answers in English (client and device names: English, else Chinese) and in Asia/Shanghai time.
"""

# The JSON of a datetime as DRF writes it in the current time zone (Asia/Shanghai): ISO 8601 with microseconds
# unless they are zero, and the offset.
_DT = """(to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS')
          || CASE WHEN extract(microseconds FROM {col})::int %% 1000000 = 0 THEN ''
                  ELSE to_char({col} AT TIME ZONE 'Asia/Shanghai', '.US') END || '+08:00')"""


def dt(col: str) -> str:
    return _DT.format(col=col)


def _user(alias: str) -> str:
    return f"""CASE WHEN {alias}.id IS NULL THEN NULL ELSE json_build_object(
        'id', {alias}.id, 'username', {alias}.username,
        'display_name', COALESCE(NULLIF({alias}.display_name, ''),
                                 NULLIF(trim({alias}.first_name || ' ' || {alias}.last_name), ''), {alias}.username))
      END"""


def _envelope(results: str, count: str, path: str, query: str = "") -> str:
    """``count`` / ``next`` / ``previous`` of DRF's page-number pagination around ``results`` (a json array);
    ``query``: the request's other parameters, sorted before ``page`` as DRF writes them (``due_within=14&``)."""
    return f"""json_build_object(
      'count', ({count}),
      'next', CASE WHEN %(offset)s + %(limit)s < ({count})
                   THEN 'http://testserver{path}?{query}page=' || (%(offset)s / %(limit)s + 2)
                        || '&page_size=' || %(limit)s
              END,
      'previous', CASE WHEN %(offset)s = 0 THEN NULL
                       WHEN %(offset)s / %(limit)s = 1 THEN 'http://testserver{path}?{query}page_size=' || %(limit)s
                       ELSE 'http://testserver{path}?{query}page=' || (%(offset)s / %(limit)s)
                            || '&page_size=' || %(limit)s
                  END,
      'results', COALESCE(({results}), '[]'::json))"""


PROJECT_TRANSITIONS = """CASE p.status
      WHEN 'draft' THEN '["active", "cancelled"]'::json
      WHEN 'active' THEN '["cancelled", "completed", "on_hold"]'::json
      WHEN 'on_hold' THEN '["active", "cancelled"]'::json
      WHEN 'completed' THEN '["closed"]'::json
      ELSE '[]'::json END"""

# GET /api/v1/projects/?page_size=N[&page=K] as a staff user: newest first.
PROJECTS = "SELECT " + _envelope(
    results=f"""SELECT json_agg(json_build_object(
        'id', p.id, 'code', p.code, 'title', p.title,
        'client', json_build_object('id', c.id, 'code', c.code, 'name', COALESCE(NULLIF(c.name_en, ''), c.name_zh)),
        'devices', COALESCE((SELECT json_agg(json_build_object('id', d.id,
                                                               'name', COALESCE(NULLIF(d.name_en, ''), d.name_zh))
                                             ORDER BY d.id)
                             FROM projects_project_devices pd JOIN clients_device d ON d.id = pd.device_id
                             WHERE pd.project_id = p.id), '[]'::json),
        'service_type', p.service_type, 'status', p.status, 'project_manager', {_user("u")},
        'start_date', p.start_date, 'target_date', p.target_date, 'priority', p.priority,
        'client_summary', p.client_summary, 'health', p.health, 'authority_overdue', p.authority_overdue,
        'progress', p.progress, 'next_due_date', p.next_due_date,
        'created_at', {dt("p.created_at")}, 'updated_at', {dt("p.updated_at")}, 'version', p.version,
        'contract_number', p.contract_number,
        'contract_value', CASE WHEN p.contract_value IS NULL THEN NULL
                               ELSE to_char(p.contract_value, 'FM999999999990.00') END,
        'contract_currency', p.contract_currency, 'description', p.description, 'internal_notes', p.internal_notes,
        'allowed_transitions', {PROJECT_TRANSITIONS}
      ) ORDER BY p.created_at DESC, p.id DESC)
      FROM (SELECT * FROM projects_project ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s) p
      JOIN clients_client c ON c.id = p.client_id
      LEFT JOIN accounts_user u ON u.id = p.project_manager_id""",
    count="SELECT count(*) FROM projects_project",
    path="/api/v1/projects/",
)

ORDER_TRANSITIONS = """CASE o.status
      WHEN 'draft' THEN '["cancelled", "submitted"]'::json
      WHEN 'submitted' THEN '["accepted", "cancelled", "rejected"]'::json
      WHEN 'accepted' THEN '["cancelled", "on_hold", "rejected", "samples_received"]'::json
      WHEN 'samples_received' THEN '["cancelled", "in_testing", "on_hold"]'::json
      WHEN 'in_testing' THEN '["on_hold", "to_be_verified"]'::json
      WHEN 'to_be_verified' THEN '["in_testing", "verified"]'::json
      WHEN 'verified' THEN '["in_testing", "report_issued"]'::json
      WHEN 'report_issued' THEN '["closed", "in_testing"]'::json
      WHEN 'on_hold' THEN '["accepted", "cancelled", "in_testing", "samples_received"]'::json
      ELSE '[]'::json END"""

# GET /api/v1/test-orders/?page_size=N as a staff user: newest first.
TEST_ORDERS = "SELECT " + _envelope(
    results=f"""SELECT json_agg(json_build_object(
        'id', o.id, 'number', o.number,
        'client', json_build_object('id', c.id, 'code', c.code, 'name', COALESCE(NULLIF(c.name_en, ''), c.name_zh)),
        'project', json_build_object('id', p.id, 'code', p.code, 'title', p.title),
        'purpose', o.purpose, 'priority', o.priority, 'status', o.status, 'received_on', o.received_on,
        'due_date', o.due_date, 'created_at', {dt("o.created_at")}, 'updated_at', {dt("o.updated_at")},
        'version', o.version, 'milestone', o.milestone_id, 'requested_by', {_user("u")},
        'held_from', o.held_from, 'held_on', o.held_on, 'hold_days', o.hold_days,
        'due_date_manual', o.due_date_manual, 'retention_days', o.retention_days,
        'disposition_due', o.disposition_due, 'rejection_reason', o.rejection_reason,
        'internal_notes', o.internal_notes, 'allowed_transitions', {ORDER_TRANSITIONS.replace("o.status", "o.status")}
      ) ORDER BY o.created_at DESC, o.id DESC)
      FROM (SELECT * FROM labtests_testorder ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s) o
      JOIN clients_client c ON c.id = o.client_id
      JOIN projects_project p ON p.id = o.project_id
      LEFT JOIN accounts_user u ON u.id = o.requested_by_id""",
    count="SELECT count(*) FROM labtests_testorder",
    path="/api/v1/test-orders/",
)

MILESTONE_TRANSITIONS = """CASE m.status
      WHEN 'not_started' THEN CASE WHEN m.responsible = 'client'
           THEN '["awaiting_acceptance", "blocked", "done", "in_progress", "skipped"]'::json
           ELSE '["blocked", "done", "in_progress", "skipped"]'::json END
      WHEN 'in_progress' THEN CASE WHEN m.responsible = 'client'
           THEN '["awaiting_acceptance", "blocked", "done", "not_started"]'::json
           ELSE '["blocked", "done", "not_started"]'::json END
      WHEN 'blocked' THEN '["done", "in_progress", "not_started"]'::json
      WHEN 'done' THEN '["in_progress"]'::json
      WHEN 'skipped' THEN '["not_started"]'::json
      WHEN 'awaiting_acceptance' THEN '["done", "in_progress"]'::json
      ELSE '[]'::json END"""

MILESTONE_DUE_STATE = """CASE
      WHEN m.status = 'done' THEN 'done'
      WHEN m.status IN ('not_started', 'in_progress', 'blocked', 'awaiting_acceptance') AND m.due_date < %(today)s
           THEN CASE WHEN m.responsible = 'authority' THEN 'authority_overdue' ELSE 'overdue' END
      WHEN m.status IN ('not_started', 'in_progress', 'blocked', 'awaiting_acceptance')
           AND m.due_date <= %(today)s::date + 7 THEN 'due_soon'
      ELSE 'ok' END"""

_DUE_WITHIN = "m.due_date BETWEEN %(today)s AND %(today)s::date + %(days)s"

# GET /api/v1/milestones/?due_within=14&page_size=N as a staff user: by project, due date, order.
MILESTONES_DUE = "SELECT " + _envelope(
    results=f"""SELECT json_agg(json_build_object(
        'id', m.id, 'project', json_build_object('id', p.id, 'code', p.code, 'title', p.title),
        'submission', m.submission_id, 'code', m.code, 'name', COALESCE(NULLIF(m.name_en, ''), m.name_zh),
        'name_zh', m.name_zh, 'name_en', m.name_en, 'kind', m.kind, 'planned_start', m.planned_start,
        'due_date', m.due_date, 'due_provisional', m.due_provisional, 'baseline_start', m.baseline_start,
        'baseline_due_date', m.baseline_due_date, 'completed_on', m.completed_on, 'responsible', m.responsible,
        'status', m.status, 'due_state', {MILESTONE_DUE_STATE}, 'created_at', {dt("m.created_at")},
        'updated_at', {dt("m.updated_at")}, 'version', m.version, 'order', m."order", 'calendar', m.calendar,
        'duration', m.duration, 'owner', {_user("u")}, 'client_visible', m.client_visible,
        'follows_clock', m.follows_clock, 'allowed_transitions', {MILESTONE_TRANSITIONS}
      ) ORDER BY m.project_id, m.due_date, m."order", m.id)
      FROM (SELECT * FROM milestones_milestone m WHERE {_DUE_WITHIN}
            ORDER BY project_id, due_date, "order", id LIMIT %(limit)s OFFSET %(offset)s) m
      JOIN projects_project p ON p.id = m.project_id
      LEFT JOIN accounts_user u ON u.id = m.owner_id""",
    count=f"SELECT count(*) FROM milestones_milestone m WHERE {_DUE_WITHIN}",
    path="/api/v1/milestones/",
    query="due_within=14&",
)

FLOORS = {"projects": PROJECTS, "test_orders": TEST_ORDERS, "milestones_due": MILESTONES_DUE}


# --- the reminder sweep ---------------------------------------------------------------------------------------------
# Added with step 3 of issue 19, before the sweep became one statement per kind, and not to be touched afterwards
# either. The floor does the sweep's whole work by hand: cancel stale reminders (one UPDATE per kind), insert
# today's (one INSERT … SELECT … ON CONFLICT DO NOTHING per rule, recipients and preferences joined in SQL), write
# the digest readers' in-app notifications, and claim the immediate readers' reminders in batches of the sweep's
# size (one e-mail per recipient and batch, the Message-ID computed as the sweep does). Each kind's open items
# are written out here, not taken from the registry.

_OPEN_MILESTONE = "m.status IN ('not_started', 'in_progress', 'blocked', 'awaiting_acceptance')"
_OPEN_ORDER = "o.status IN ('submitted', 'accepted', 'samples_received', 'in_testing', 'to_be_verified', 'verified')"
_AUTHORITY_CLOCKS = "('authority_review', 'qms_inspection', 'decision', 'certificate')"

# fmt: off
# kind → (its open items: id, due, client, PM, owner, client task, params, url; the condition on its date column)
SWEEP_ITEMS = {
    "milestone_due": """
        SELECT m.id AS target_id, m.due_date AS due, p.client_id, p.project_manager_id AS pm_id, m.owner_id,
               (m.responsible = 'client' AND m.client_visible AND m.status <> 'awaiting_acceptance') AS client_task,
               jsonb_build_object('item', jsonb_build_object('zh', COALESCE(NULLIF(m.name_zh, ''), m.name_en),
                                                             'en', COALESCE(NULLIF(m.name_en, ''), m.name_zh)),
                                  'project', p.code)
               || CASE WHEN m.responsible = 'authority' THEN '{"chase": true}'::jsonb ELSE '{}'::jsonb END AS params,
               '/projects/' || p.id || '/' AS url
        FROM milestones_milestone m JOIN projects_project p ON p.id = m.project_id
        WHERE """ + _OPEN_MILESTONE + """ AND p.status = 'active' AND m.due_date BETWEEN %(start)s AND %(end)s""",
    "test_order_due": """
        SELECT o.id AS target_id, o.due_date AS due, o.client_id, p.project_manager_id AS pm_id,
               o.requested_by_id AS owner_id, false AS client_task,
               jsonb_build_object('item', o.number, 'project', p.code) AS params, '/lab/orders/' || o.id || '/' AS url
        FROM labtests_testorder o JOIN projects_project p ON p.id = o.project_id
        WHERE """ + _OPEN_ORDER + """ AND o.due_date BETWEEN %(start)s AND %(end)s""",
    "sample_disposition_due": """
        SELECT o.id AS target_id, o.disposition_due AS due, o.client_id, p.project_manager_id AS pm_id,
               NULL::bigint AS owner_id, false AS client_task,
               jsonb_build_object('item', o.number, 'project', p.code) AS params,
               '/lab/orders/' || o.id || '/#samples' AS url
        FROM labtests_testorder o JOIN projects_project p ON p.id = o.project_id
        WHERE o.disposition_due BETWEEN %(start)s AND %(end)s""",
    "review_clock_due": """
        SELECT c.id AS target_id, c.due_on AS due, p.client_id, p.project_manager_id AS pm_id,
               NULL::bigint AS owner_id, false AS client_task,
               jsonb_build_object('item', %(clock_labels)s::jsonb -> c.kind, 'project', p.code)
               || '{"chase": true}'::jsonb AS params,
               '/projects/' || p.id || '/' AS url
        FROM milestones_reviewclock c JOIN milestones_submission s ON s.id = c.submission_id
        JOIN projects_project p ON p.id = s.project_id
        WHERE c.kind IN """ + _AUTHORITY_CLOCKS + """ AND c.state IN ('running', 'expired')
          AND c.due_on BETWEEN %(start)s AND %(end)s""",
    "applicant_response_due": """
        SELECT c.id AS target_id, c.due_on AS due, p.client_id, p.project_manager_id AS pm_id,
               NULL::bigint AS owner_id, true AS client_task,
               jsonb_build_object('item', %(clock_labels)s::jsonb -> c.kind, 'project', p.code) AS params,
               '/projects/' || p.id || '/' AS url
        FROM milestones_reviewclock c JOIN milestones_submission s ON s.id = c.submission_id
        JOIN projects_project p ON p.id = s.project_id
        WHERE c.kind = 'applicant_response' AND c.state = 'running' AND c.due_on BETWEEN %(start)s AND %(end)s""",
}

# Still open with this date? (what the cancel step keeps)
SWEEP_STILL_DUE = {
    "milestone_due": """SELECT 1 FROM milestones_milestone m JOIN projects_project p ON p.id = m.project_id
        WHERE m.id = r.target_id AND m.due_date = r.due_date AND """ + _OPEN_MILESTONE + " AND p.status = 'active'",
    "test_order_due": """SELECT 1 FROM labtests_testorder o
        WHERE o.id = r.target_id AND o.due_date = r.due_date AND """ + _OPEN_ORDER,
    "sample_disposition_due": """SELECT 1 FROM labtests_testorder o
        WHERE o.id = r.target_id AND o.disposition_due = r.due_date""",
    "review_clock_due": """SELECT 1 FROM milestones_reviewclock c WHERE c.id = r.target_id AND c.due_on = r.due_date
        AND c.kind IN """ + _AUTHORITY_CLOCKS + " AND c.state IN ('running', 'expired')",
    "applicant_response_due": """SELECT 1 FROM milestones_reviewclock c WHERE c.id = r.target_id
        AND c.due_on = r.due_date AND c.kind = 'applicant_response' AND c.state = 'running'""",
}

# fmt: on

SWEEP_CANCEL = """UPDATE notifications_reminder r SET status = 'cancelled',
    error = 'the item''s date moved, or it is done or paused'
    WHERE r.kind = %(kind)s AND r.status = 'pending' AND NOT EXISTS ({still_due})"""

# One rule: the offset due today for each item, one row per recipient (the escalation wins over a plain reminder
# at the same offset), active people only, muted kinds dropped unless escalated, digest readers marked.
SWEEP_INSERT = """
WITH item AS ({items}),
planned AS (
    SELECT item.*, item.due - %(today)s::date AS days_until,
           CASE WHEN item.due >= %(today)s::date
                     THEN (SELECT min(o) FROM unnest(%(offsets)s::int[]) o WHERE o >= item.due - %(today)s::date)
                WHEN %(today)s::date - item.due > %(overdue_limit)s THEN NULL
                WHEN %(repeat)s > 0 AND %(today)s::date - item.due >= %(repeat)s
                     THEN -((%(today)s::date - item.due) / %(repeat)s) * %(repeat)s
                WHEN %(zero_allowed)s THEN 0 END AS "offset"
    FROM item
),
role_group AS (
    SELECT g.name, ug.user_id FROM auth_group g JOIN accounts_user_groups ug ON ug.group_id = g.id
    WHERE g.name IN ('lab_manager', 'admin')
),
recipient AS (
    SELECT target_id, due, "offset", owner_id AS user_id, false AS escalated, params, url, client_id
      FROM planned WHERE "offset" IS NOT NULL AND %(to_owner)s
    UNION ALL
    SELECT target_id, due, "offset", pm_id, false, params, url, client_id
      FROM planned WHERE "offset" IS NOT NULL AND %(to_pm)s
    UNION ALL
    SELECT target_id, due, "offset", rg.user_id, false, params, url, client_id
      FROM planned JOIN role_group rg ON rg.name = 'lab_manager' WHERE "offset" IS NOT NULL AND %(to_lab_managers)s
    UNION ALL
    SELECT target_id, due, "offset", cm.user_id, false, params, url, planned.client_id
      FROM planned JOIN clients_clientmembership cm ON cm.client_id = planned.client_id
      WHERE "offset" IS NOT NULL AND planned.client_task AND %(to_client_contacts)s
    UNION ALL
    SELECT target_id, due, -%(escalate_after)s, pm_id, true, params, url, client_id
      FROM planned WHERE %(escalate_after)s > 0 AND -days_until >= %(escalate_after)s AND NOT params ? 'chase'
    UNION ALL
    SELECT target_id, due, -%(escalate_after)s, rg.user_id, true, params, url, client_id
      FROM planned JOIN role_group rg ON rg.name = %(escalate_to)s
      WHERE %(escalate_after)s > 0 AND -days_until >= %(escalate_after)s AND NOT params ? 'chase'
),
chosen AS (
    SELECT DISTINCT ON (target_id, "offset", user_id) *
    FROM recipient WHERE user_id IS NOT NULL
    ORDER BY target_id, "offset", user_id, escalated DESC
)
INSERT INTO notifications_reminder (rule_id, kind, target_id, due_date, "offset", recipient_id, escalated, digest,
                                    params, url, status, message_id, error, attempts, created_at, updated_at)
SELECT %(rule)s, %(kind)s, c.target_id, c.due, c."offset", c.user_id, c.escalated,
       COALESCE(u.notification_preferences ->> 'email', '') = 'digest', c.params,
       CASE WHEN NOT c.escalated AND EXISTS (SELECT 1 FROM clients_clientmembership cm
                                             WHERE cm.user_id = c.user_id AND cm.client_id = c.client_id)
            THEN '/portal/requests/' ELSE c.url END,
       'pending', '', '', 0, %(now)s, %(now)s
FROM chosen c JOIN accounts_user u ON u.id = c.user_id AND u.is_active
WHERE c.escalated OR NOT COALESCE(jsonb_typeof(u.notification_preferences -> 'muted_kinds') = 'array'
                                   AND u.notification_preferences -> 'muted_kinds' ? %(kind)s, false)
ON CONFLICT DO NOTHING
"""

SWEEP_DIGEST_NOTIFICATIONS = """
WITH due AS (
    UPDATE notifications_reminder SET notified_at = %(now)s
    WHERE status = 'pending' AND digest AND notified_at IS NULL
    RETURNING recipient_id, escalated, params, kind, due_date, url
)
INSERT INTO notifications_notification (user_id, event, params, url, read_at, email_status, created_at, updated_at)
SELECT recipient_id, CASE WHEN escalated THEN 'reminder.escalated' ELSE 'reminder.due' END,
       params || jsonb_build_object('kind', kind, 'due', due_date::text, 'offset', due_date - %(today)s::date),
       url, NULL, '', %(now)s, %(now)s
FROM due
"""

SWEEP_CLAIM = """
WITH batch AS MATERIALIZED (
    SELECT id, recipient_id FROM notifications_reminder
    WHERE status = 'pending' AND NOT digest ORDER BY id LIMIT %(batch)s FOR UPDATE SKIP LOCKED
), mail AS MATERIALIZED (
    SELECT recipient_id, '<reminders.' || min(id) || '.'
           || left(encode(sha256(convert_to(string_agg(id::text, ',' ORDER BY id), 'UTF8')), 'hex'), 20)
           || '@' || %(domain)s || '>' AS message_id
    FROM batch GROUP BY recipient_id
)
UPDATE notifications_reminder r SET status = 'claimed', claimed_at = %(now)s, message_id = mail.message_id
FROM batch JOIN mail USING (recipient_id) WHERE r.id = batch.id
"""


def sweep_floor(cursor, *, today, now, rules, clock_labels: str, batch: int, domain: str) -> None:
    """The sweep's work by hand. ``rules``: the active rules as dicts (kind, offsets, overdue_limit_days,
    overdue_repeat_days, escalate_after_days, recipient_roles, id); ``clock_labels``: JSON, clock kind →
    {"zh", "en"}."""
    from datetime import timedelta

    for kind, still_due in SWEEP_STILL_DUE.items():
        cursor.execute(SWEEP_CANCEL.format(still_due=still_due), {"kind": kind})
    for rule in rules:
        offsets = rule["offsets"]
        roles = set(rule["recipient_roles"])
        start = today - timedelta(days=rule["overdue_limit_days"])
        end = today + timedelta(days=max([*offsets, 0]))
        cursor.execute(SWEEP_INSERT.format(items=SWEEP_ITEMS[rule["kind"]]), {
            "today": today, "start": start, "end": end, "now": now, "rule": rule["id"], "kind": rule["kind"],
            "offsets": list(offsets), "overdue_limit": rule["overdue_limit_days"],
            "repeat": rule["overdue_repeat_days"] or 0, "zero_allowed": 0 in offsets or not offsets,
            "to_owner": "owner" in roles, "to_pm": "project_manager" in roles,
            "to_lab_managers": "lab_manager" in roles, "to_client_contacts": "client_contacts" in roles,
            "escalate_after": rule["escalate_after_days"] or 0,
            "escalate_to": "lab_manager" if rule["kind"] in ("test_order_due", "sample_disposition_due") else "admin",
            "clock_labels": clock_labels,
        })  # fmt: skip
    cursor.execute(SWEEP_DIGEST_NOTIFICATIONS, {"now": now, "today": today})
    while True:
        cursor.execute(SWEEP_CLAIM, {"batch": batch, "domain": domain, "now": now})
        if cursor.rowcount == 0:
            break
