-- inventory_turnover: for each month M of $months (consecutive months): inventory_units,
-- inventory_value, cogs, avg_inventory_value, turnover_monthly, turnover_annual, dio_days,
-- holding_cost and its capital, storage, service and risk parts, dead_stock_value,
-- excess_stock_value, with the counts of SKUs left out for unknown cost. Each month as reported
-- at that month; stock figures are null for a month without a stock upload.
-- grain: one row per month. parameters: $months, $carrying_rate, $carrying_parts (struct of
-- the four yearly rates), $excess_months, $locations, $categories, $suppliers.
-- inputs: inventory_months, sku_stock.
with
month_figures as (
    select * from inventory_months(list_max($months), len($months), $carrying_rate, false, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
stock_risk as (
    select
        report_month,
        sum(dead_value) as dead_stock_value,
        sum(excess_value) as excess_stock_value,
        count(*) filter (where is_dead) as count_dead_skus,
        count(*) filter (where excess_units > 0) as count_excess_skus,
    from sku_stock($months, $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    group by report_month
),
final as (
    select
        f.report_month,
        f.has_stock_upload,
        f.inventory_units,
        f.inventory_value,
        f.count_skus_unknown_cost,
        f.cogs,
        f.count_skus_cogs_unknown_cost,
        f.avg_inventory_value,
        f.turnover_monthly,
        f.turnover_annual,
        f.count_stock_months_12m,
        f.dio_days,
        f.holding_cost,
        f.avg_inventory_value * $carrying_parts.capital / 12 as holding_cost_capital,
        f.avg_inventory_value * $carrying_parts.storage / 12 as holding_cost_storage,
        f.avg_inventory_value * $carrying_parts.service / 12 as holding_cost_service,
        f.avg_inventory_value * $carrying_parts.risk / 12 as holding_cost_risk,
        case when f.has_stock_upload then coalesce(r.dead_stock_value, 0) end as dead_stock_value,
        case when f.has_stock_upload then coalesce(r.excess_stock_value, 0) end as excess_stock_value,
        case when f.has_stock_upload then coalesce(r.count_dead_skus, 0) end as count_dead_skus,
        case when f.has_stock_upload then coalesce(r.count_excess_skus, 0) end as count_excess_skus,
    from month_figures as f
    left join stock_risk as r using (report_month)
)
select * from final order by report_month
