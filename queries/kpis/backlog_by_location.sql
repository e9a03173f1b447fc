-- backlog_by_location: backlog units, value, lines, past-due units and average age per location
-- at t = E(M) as reported at M, largest first. Lines without a location are grouped as null.
-- grain: one row per location. parameters: $month, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: line_states.
with
open_lines as (
    select * from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0
),
final as (
    select
        location,
        sum(open_qty) as backlog_units,
        sum(open_qty * coalesce(unit_price, 0)) as backlog_value,
        count(*) as backlog_lines,
        coalesce(sum(open_qty) filter (where is_past_due), 0) as past_due_units,
        sum(open_qty * age_days) / sum(open_qty) as avg_age_days
    from open_lines
    group by location
)
select * from final order by backlog_units desc, location
