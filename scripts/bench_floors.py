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
