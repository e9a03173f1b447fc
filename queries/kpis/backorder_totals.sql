-- backorder_totals: for each month M of $months, as reported at M: backorder_units (sum over
-- SKUs of max(0, demand - on hand)), backordered_skus (SKUs with backorder units > 0),
-- backorder_rate = backorder_units / the open demand summed over SKUs (the backlog units). Null
-- for a month without both its orders and its stock upload.
-- grain: one row per month. parameters: $months, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: sku_backorders, report_months, uploaded_months.
with
by_sku as (
    select * from sku_backorders($months, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
months as (
    select report_month, has_backorder_uploads(report_month) as is_known from report_months($months)
),
totals as (
    select
        report_month,
        sum(backorder_units) as backorder_units,
        count(*) filter (where backorder_units > 0) as backordered_skus,
        sum(backorder_units) / nullif(sum(open_demand), 0) as backorder_rate
    from by_sku
    group by report_month
),
final as (
    select
        m.report_month,
        case when m.is_known then coalesce(t.backorder_units, 0) end as backorder_units,
        case when m.is_known then coalesce(t.backordered_skus, 0) end as backordered_skus,
        case when m.is_known then t.backorder_rate end as backorder_rate
    from months as m
    left join totals as t using (report_month)
)
select * from final order by report_month
