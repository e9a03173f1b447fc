-- backlog_bridge: opening (backlog units at E(M-1) as reported at M-1) + new (qty_ordered of
-- lines ordered in M) - shipped (shipment events dated in M) - cancelled (cancellation events
-- dated in M) - closed by absence (open units closed at E(M) because M's orders file lists every
-- open line and not theirs: load option lists_every_open_line; 0 otherwise) + restated (the
-- remainder) = closing (backlog units at E(M)). Units. Closed by absence is not a step of the
-- KPI book's bridge: it is carved out of what would otherwise be restated, so the bridge closes.
-- grain: one row. parameters: $month, $promise_days, $customers, $locations, $categories,
-- $suppliers. inputs: line_states.
with
this_month as (
    select * from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
previous_month as (
    select * from line_states(
        [strftime(strptime($month, '%Y-%m') - interval 1 month, '%Y-%m')], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
parts as (
    select
        (select coalesce(sum(open_qty), 0) from previous_month) as opening,
        coalesce(sum(qty_ordered) filter (where is_new), 0) as new,
        coalesce(sum(shipped_in_month), 0) as shipped,
        coalesce(sum(cancelled_in_month), 0) as cancelled,
        coalesce(sum(closed_by_absence), 0) as closed_by_absence,
        coalesce(sum(open_qty), 0) as closing
    from this_month
),
final as (
    select
        opening,
        new,
        shipped,
        cancelled,
        closed_by_absence,
        closing - (opening + new - shipped - cancelled - closed_by_absence) as restated,
        closing
    from parts
)
select * from final
where has_upload('orders', $month)
