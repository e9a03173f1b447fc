-- inventory_trend: inventory value, COGS, average inventory, monthly and annual turnover, DIO
-- and holding cost (with its four parts) for each of the $n_months months ending at M, each as
-- reported at that month. Months without a stock upload have null stock figures.
-- grain: one row per month. parameters: $month, $n_months, $carrying_rate, $carrying_parts,
-- $locations, $categories, $suppliers. inputs: inventory_months.
select
    report_month,
    has_stock_upload,
    inventory_units,
    inventory_value,
    cogs,
    avg_inventory_value,
    turnover_monthly,
    turnover_annual,
    dio_days,
    holding_cost,
    avg_inventory_value * $carrying_parts.capital / 12 as holding_cost_capital,
    avg_inventory_value * $carrying_parts.storage / 12 as holding_cost_storage,
    avg_inventory_value * $carrying_parts.service / 12 as holding_cost_service,
    avg_inventory_value * $carrying_parts.risk / 12 as holding_cost_risk,
from inventory_months($month, $n_months, $carrying_rate, false, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
order by report_month
