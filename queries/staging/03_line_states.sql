-- line_states(months, promise_days, customers, locations, categories, suppliers):
-- every order line as reported at each month M of `months` (only uploads of months <= M):
-- attributes of its latest version, open_qty at t = E(M), and its events in M.
-- Returns and corrections (qty_ordered <= 0) are left out here, as from every backlog,
-- backorder and fill-rate figure. Filters are lists; null keeps everything.
-- grain: report_month x line (order_id, line_key). inputs: order_events, products.
create or replace macro line_states(months, promise_days, customers, locations, categories, suppliers) as table
with
months as (
    select * from report_months(months)
),
versions as (
    select m.report_month, m.month_start, m.as_of, e.*
    from months as m
    join order_events as e on e.month <= m.report_month
),
latest as (
    select
        *,
        coalesce(promised_date, order_date + to_days(promise_days::integer)) as due_date,
    from versions
    qualify row_number() over (partition by report_month, order_id, line_key order by month desc) = 1
),
event_sums as (
    select
        l.report_month,
        l.order_id,
        l.line_key,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on <= l.as_of), 0) as shipped_to_date,
        coalesce(sum(v.cancelled_increment) filter (where v.version_end <= l.as_of), 0) as cancelled_to_date,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on >= l.month_start and v.shipped_on <= l.as_of), 0)
            as shipped_in_month,
        coalesce(sum(v.cancelled_increment) filter (where v.version_end >= l.month_start and v.version_end <= l.as_of), 0)
            as cancelled_in_month,
        coalesce(sum(v.shipped_increment) filter (where v.shipped_on <= l.due_date), 0) as shipped_by_due,
    from latest as l
    join versions as v
        on v.report_month = l.report_month and v.order_id = l.order_id and v.line_key = l.line_key
    group by l.report_month, l.order_id, l.line_key
),
final as (
    select
        l.report_month,
        l.month_start,
        l.as_of,
        l.order_id,
        l.line_key,
        l.sku,
        l.customer,
        l.location,
        p.category,
        p.supplier,
        l.order_date,
        l.promised_date,
        l.due_date,
        l.qty_ordered,
        l.qty_cancelled,
        l.qty_ordered - l.qty_cancelled as net_ordered,
        l.unit_price,
        l.month as last_reported_month,
        case when l.order_date <= l.as_of
            then greatest(0, l.qty_ordered - s.shipped_to_date - s.cancelled_to_date)
            else 0 end as open_qty,
        date_diff('day', l.order_date, l.as_of) as age_days,
        l.due_date < l.as_of as is_past_due,
        l.order_date >= l.month_start and l.order_date <= l.as_of as is_new,
        s.shipped_to_date,
        s.shipped_in_month,
        s.cancelled_in_month,
        s.shipped_by_due,
    from latest as l
    join event_sums as s using (report_month, order_id, line_key)
    left join products as p on p.sku = l.sku
    where l.qty_ordered > 0
      and (customers is null or list_contains(customers, l.customer))
      and (locations is null or list_contains(locations, l.location))
      and (categories is null or list_contains(categories, p.category))
      and (suppliers is null or list_contains(suppliers, p.supplier))
)
select * from final;
