-- inventory_by_category: inventory value, COGS, average inventory, annual turnover and DIO per
-- product category for month M (SKUs without a category grouped as '(no category)').
-- grain: one row per category. parameters: $month, $carrying_rate, $locations, $categories,
-- $suppliers. inputs: inventory_months.
select
    group_key as category,
    inventory_units,
    inventory_value,
    cogs,
    avg_inventory_value,
    turnover_monthly,
    turnover_annual,
    dio_days,
    holding_cost
from inventory_months($month, 1, $carrying_rate, true, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
where has_stock_upload
order by inventory_value desc nulls last, category
