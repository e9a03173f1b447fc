-- line_facts: each order line as reported at $month (kpi-book 2): attributes of its latest
-- version <= $month; open_qty at t = E($month); its events up to t and in the month; for lines
-- ordered in the month, their shipment events (for on-time fill rate under any promise
-- setting). Lines computed: those in $month's upload, those open (or ordered after the month
-- end) in $previous_month's facts, and those with a version dated after the previous month end.
-- Built from the month before: a line without a version in $month keeps the attributes of
-- $previous_month's facts; of earlier versions only the narrow event columns are read (joined
-- on line_uid). Their shipment events are listed in no particular order: only their sum up to a
-- due date is used.
-- Closed by absence: when $month's orders load lists every open line (load option
-- lists_every_open_line, so a property of that load's version), a line open at t that the file
-- does not list is closed: open_qty 0, its open units in closed_by_absence. It stays closed in
-- later months (it is not carried: open 0) until a file lists it again (a new version); a closed
-- line that comes back through `late` finds its closure in the earlier months' facts.
-- grain: one row per line. parameters: $month, $previous_month, $previous_end (the day before
-- $month). inputs: orders, loads, line_facts, report_months.
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
late_only as materialized (
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
closes as (
    select coalesce(bool_or((options->>'lists_every_open_line')::boolean), false) as closes
    from loads
    where state = 'active' and dataset = 'orders' and month = $month
),
closed_before as (
    -- the latest month an earlier closing by absence closed each late line (only late lines can
    -- have one standing: a closed line is not carried); few rows, most row groups skipped
    select f.line_uid, max(f.report_month) as closed_month
    from line_facts as f
    semi join late_only using (line_uid)
    where f.report_month < $month and f.closed_by_absence > 0
    group by f.line_uid
),
events as (
    select
        v.line_uid,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on <= b.as_of), 0) as shipped_to_date,
        coalesce(sum(v.cancelled_increment), 0) as cancelled_to_date,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on >= b.month_start and v.shipped_on <= b.as_of), 0)
            as shipped_in_month,
        coalesce(sum(v.cancelled_increment) filter (where v.month = $month), 0) as cancelled_in_month
    from versions as v, bounds as b
    group by v.line_uid
),
new_line_events as (
    -- the shipment events of the lines ordered in the month, for on-time fill rate
    select
        v.line_uid,
        list({'shipped_on': v.shipped_on, 'units': v.shipped_increment}) as ship_events
    from versions as v
    semi join (
        select line_uid from latest, bounds
        where order_date >= month_start and order_date <= as_of
    ) using (line_uid)
    where v.shipped_increment <> 0
    group by v.line_uid
),
with_closing as (
    select
        l.*,
        e.* exclude (line_uid),
        case when l.order_date <= b.as_of
            then open_units(l.qty_ordered, e.shipped_to_date, e.cancelled_to_date)  -- 00_formulas
            else 0 end as reported_open_qty,
        -- a standing closing: closed in an earlier month, no version listed since
        coalesce(cb.closed_month > l.last_reported_month, false) as is_closed_before,
        -- closed now: this month's file lists every open line and not this one (its latest
        -- version is from an earlier month), and the line is open at t
        c.closes and l.last_reported_month < $month and not is_closed_before and reported_open_qty > 0
            as is_closed_now
    from latest as l
    join events as e using (line_uid)
    left join closed_before as cb using (line_uid)
    cross join bounds as b
    cross join closes as c
    where l.qty_ordered > 0
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
        case when l.is_closed_now or l.is_closed_before then 0 else l.reported_open_qty end as open_qty,
        l.shipped_to_date,
        l.shipped_in_month,
        l.cancelled_in_month,
        case when l.is_closed_now then l.reported_open_qty else 0 end as closed_by_absence,
        coalesce(n.ship_events, case when l.order_date >= b.month_start and l.order_date <= b.as_of then [] end)
            as ship_events,
        l.line_uid
    from with_closing as l
    left join new_line_events as n using (line_uid)
    cross join bounds as b
)
select * from final
