-- inventory_turnover: for each month M of $months (consecutive months): inventory_units,
-- inventory_value, cogs, avg_inventory_value, turnover_monthly, turnover_annual, dio_days,
-- holding_cost and its capital, storage, service and risk parts, dead_stock_value,
-- excess_stock_value, with the counts of SKUs left out for unknown cost. Each month as reported
-- at that month; stock figures are null for a month without a stock upload.
-- turnover_annual: over the months of the last 12 with a stock and an orders upload (n), their
-- cogs divided by the mean of their avg_inventory_value, times 12 / n; null when one of them has
-- an unknown cogs or avg_inventory_value.
-- Dead and excess stock (value, units and SKU counts) are also null when the month's shipments are
-- not all reported (shipment_history: without the orders files every SKU would look dead); their
-- values are null when inventory_value is (no SKU on hand with a known cost), and when there are
-- dead (excess) SKUs and none of them has a known cost: a part of an unknown value is not 0.
-- In units (files without costs, README): cogs_units, avg_inventory_units, turnover_monthly_units,
-- turnover_annual_units, dio_days_units (inventory_months), dead_stock_units, excess_stock_units.
-- grain: one row per month. parameters: $months, $carrying_rate, $carrying_parts (struct of
-- the four yearly rates), $excess_months, $locations, $categories, $suppliers.
-- inputs: inventory_months, sku_stock, shipment_history.
with
month_figures as (
    select * from inventory_months(list_max($months), len($months), $carrying_rate, false, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
stock_risk as (
    select
        report_month,
        sum(dead_value) as dead_stock_value,
        sum(excess_value) as excess_stock_value,
        sum(on_hand) filter (where is_dead) as dead_stock_units,
        sum(excess_units) as excess_stock_units,
        count(*) filter (where is_dead) as count_dead_skus,
        count(*) filter (where excess_units > 0) as count_excess_skus,
        count(*) filter (where is_dead and unit_cost is null) as count_dead_skus_unknown_cost,
        count(*) filter (where excess_units > 0 and unit_cost is null) as count_excess_skus_unknown_cost
    from sku_stock($months, $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    group by report_month
),
history as (
    select report_month, is_known as is_shipment_history_known from shipment_history($months)
),
known as (
    -- which of the dead and excess figures are known (see the header)
    select
        f.report_month,
        f.has_stock_upload and h.is_shipment_history_known as is_risk_known,
        f.inventory_value is not null
            and not (coalesce(r.count_dead_skus, 0) > 0 and r.count_dead_skus = r.count_dead_skus_unknown_cost)
            as is_dead_value_known,
        f.inventory_value is not null
            and not (coalesce(r.count_excess_skus, 0) > 0 and r.count_excess_skus = r.count_excess_skus_unknown_cost)
            as is_excess_value_known
    from month_figures as f
    left join history as h using (report_month)
    left join stock_risk as r using (report_month)
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
        f.cogs_units,
        f.avg_inventory_units,
        f.turnover_monthly_units,
        f.turnover_annual_units,
        f.dio_days_units,
        f.holding_cost,
        f.avg_inventory_value * $carrying_parts.capital / 12 as holding_cost_capital,
        f.avg_inventory_value * $carrying_parts.storage / 12 as holding_cost_storage,
        f.avg_inventory_value * $carrying_parts.service / 12 as holding_cost_service,
        f.avg_inventory_value * $carrying_parts.risk / 12 as holding_cost_risk,
        case when k.is_risk_known and k.is_dead_value_known then coalesce(r.dead_stock_value, 0) end
            as dead_stock_value,
        case when k.is_risk_known and k.is_excess_value_known then coalesce(r.excess_stock_value, 0) end
            as excess_stock_value,
        case when k.is_risk_known then coalesce(r.dead_stock_units, 0) end as dead_stock_units,
        case when k.is_risk_known then coalesce(r.excess_stock_units, 0) end as excess_stock_units,
        case when k.is_risk_known then coalesce(r.count_dead_skus, 0) end as count_dead_skus,
        case when k.is_risk_known then coalesce(r.count_excess_skus, 0) end as count_excess_skus,
        case when k.is_risk_known then coalesce(r.count_dead_skus_unknown_cost, 0) end
            as count_dead_skus_unknown_cost,
        case when k.is_risk_known then coalesce(r.count_excess_skus_unknown_cost, 0) end
            as count_excess_skus_unknown_cost,
        f.has_stock_upload and coalesce(k.is_risk_known, false) = false as is_shipment_history_missing
    from month_figures as f
    left join stock_risk as r using (report_month)
    left join known as k using (report_month)
)
select * from final order by report_month
