-- line_facts: each order line as reported at $month (kpi-book 2): attributes of its latest
-- version <= $month; open_qty at t = E($month); its events up to t and in the month; for lines
-- ordered in the month, their shipment events (for on-time fill rate under any promise setting).
-- Lines computed: those in $month's upload, those open (or ordered after the month end) in
-- $previous_month's facts, and those with a version dated after the previous month end.
-- grain: one row per line. parameters: $month, $previous_month. inputs: orders, line_facts, report_months.
insert into line_facts
with
bounds as (
    select month_start, as_of, month_start - interval 1 day as previous_end
    from report_months([$month])
),
line_keys as (
    select order_id, line_key from orders where month = $month
    union
    select order_id, line_key
    from line_facts, bounds
    where report_month = $previous_month and (open_qty > 0 or order_date > previous_end)
    union
    select order_id, line_key
    from orders, bounds
    where month < $month and (shipped_on > previous_end or order_date > previous_end)
),
versions as (
    select o.*
    from orders as o
    semi join line_keys using (order_id, line_key)
    where o.month <= $month
),
latest as (
    select *
    from versions
    qualify row_number() over (partition by order_id, line_key order by month desc) = 1
),
events as (
    select
        v.order_id,
        v.line_key,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on <= b.as_of), 0) as shipped_to_date,
        coalesce(sum(v.cancelled_increment), 0) as cancelled_to_date,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on >= b.month_start and v.shipped_on <= b.as_of), 0)
            as shipped_in_month,
        coalesce(sum(v.cancelled_increment) filter (where v.month = $month), 0) as cancelled_in_month,
    from versions as v, bounds as b
    group by v.order_id, v.line_key
),
new_line_events as (
    -- the shipment events of the lines ordered in the month, for on-time fill rate
    select
        v.order_id,
        v.line_key,
        coalesce(list({'shipped_on': v.shipped_on, 'units': v.shipped_increment} order by v.month)
            filter (where v.shipped_increment <> 0), []) as ship_events,
    from latest as l
    join versions as v using (order_id, line_key)
    cross join bounds as b
    where l.order_date >= b.month_start and l.order_date <= b.as_of
    group by v.order_id, v.line_key
),
final as (
    select
        $month as report_month,
        l.order_id,
        l.line_key,
        l.sku,
        l.customer,
        l.location,
        l.order_date,
        l.promised_date,
        l.qty_ordered,
        l.qty_cancelled,
        l.unit_price,
        l.month as last_reported_month,
        case when l.order_date <= b.as_of
            -- rounded to 6 decimals: quantities are doubles, and 12.3 - 6.1 - 6.2 leaves 1e-15 open
            then greatest(0, round(l.qty_ordered - e.shipped_to_date - e.cancelled_to_date, 6))
            else 0 end as open_qty,
        e.shipped_to_date,
        e.shipped_in_month,
        e.cancelled_in_month,
        n.ship_events,
    from latest as l
    join events as e using (order_id, line_key)
    left join new_line_events as n using (order_id, line_key)
    cross join bounds as b
    where l.qty_ordered > 0
)
select * from final
