-- line_facts: each order line as reported at $month (kpi-book 2): attributes of its latest
-- version <= $month; open_qty at t = E($month); its events up to t and in the month; for lines
-- ordered in the month, their shipment events (for on-time fill rate under any promise
-- setting). Lines computed: those in $month's upload, those open (or ordered after the month
-- end) in $previous_month's facts, and those with a version dated after the previous month end.
-- Built from the month before: a line without a version in $month keeps the attributes of
-- $previous_month's facts; of earlier versions only the narrow event columns are read (joined
-- on line_uid). Their shipment events are listed in no particular order: only their sum up to a
-- due date is used.
-- grain: one row per line. parameters: $month, $previous_month, $previous_end (the day before
-- $month). inputs: orders, line_facts, report_months.
insert into line_facts
with
bounds as (
    select month_start, as_of from report_months([$month])
),
uploaded as (
    select * from orders where month = $month
),
carried as (
    select *
    from line_facts
    where report_month = $previous_month and (open_qty > 0 or order_date > $previous_end)
),
late as (
    -- lines with an earlier version shipped or ordered after the previous month end
    select distinct line_uid
    from orders
    where month < $month and (shipped_on > $previous_end or order_date > $previous_end)
),
line_keys as materialized (
    select line_uid from uploaded
    union
    select line_uid from carried
    union
    select line_uid from late
),
versions as materialized (
    -- the events of every version <= $month of those lines: narrow columns only
    select o.line_uid, o.month, o.shipped_increment, o.shipped_on, o.cancelled_increment
    from orders as o
    semi join line_keys using (line_uid)
    where o.month <= $month
),
late_only as (
    select line_uid from late
    except
    select line_uid from uploaded
    except
    select line_uid from carried
),
latest as (
    -- the latest version's attributes: this month's version, else the month before's facts,
    -- else (a line neither uploaded now nor carried, with a late event) its latest version
    select line_uid, order_id, line_key, sku, customer, location, order_date, promised_date,
           qty_ordered, qty_cancelled, unit_price, month as last_reported_month
    from uploaded
    union all
    select line_uid, order_id, line_key, sku, customer, location, order_date, promised_date,
           qty_ordered, qty_cancelled, unit_price, last_reported_month
    from carried
    anti join uploaded using (line_uid)
    union all
    select line_uid, order_id, line_key, sku, customer, location, order_date, promised_date,
           qty_ordered, qty_cancelled, unit_price, month as last_reported_month
    from orders as o
    semi join late_only using (line_uid)
    where o.month < $month
    qualify row_number() over (partition by o.line_uid order by o.month desc) = 1
),
events as (
    select
        v.line_uid,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on <= b.as_of), 0) as shipped_to_date,
        coalesce(sum(v.cancelled_increment), 0) as cancelled_to_date,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on >= b.month_start and v.shipped_on <= b.as_of), 0)
            as shipped_in_month,
        coalesce(sum(v.cancelled_increment) filter (where v.month = $month), 0) as cancelled_in_month,
    from versions as v, bounds as b
    group by v.line_uid
),
new_line_events as (
    -- the shipment events of the lines ordered in the month, for on-time fill rate
    select
        v.line_uid,
        list({'shipped_on': v.shipped_on, 'units': v.shipped_increment}) as ship_events,
    from versions as v
    semi join (
        select line_uid from latest, bounds
        where order_date >= month_start and order_date <= as_of
    ) using (line_uid)
    where v.shipped_increment <> 0
    group by v.line_uid
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
        l.last_reported_month,
        case when l.order_date <= b.as_of
            then open_units(l.qty_ordered, e.shipped_to_date, e.cancelled_to_date)  -- 00_formulas
            else 0 end as open_qty,
        e.shipped_to_date,
        e.shipped_in_month,
        e.cancelled_in_month,
        coalesce(n.ship_events, case when l.order_date >= b.month_start and l.order_date <= b.as_of then [] end)
            as ship_events,
        l.line_uid,
    from latest as l
    join events as e using (line_uid)
    left join new_line_events as n using (line_uid)
    cross join bounds as b
    where l.qty_ordered > 0
)
select * from final
