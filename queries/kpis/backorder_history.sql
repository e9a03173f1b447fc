-- backorder_history: per month of the window (each as reported at that month; only months with
-- both an orders and a stock upload) and per SKU of $skus: open demand, on hand and backorder
-- units. The SKU x month matrix of the frequently-backordered ranking's top SKUs.
-- grain: month x SKU. parameters: $window (list of YYYY-MM), $skus, $promise_days, $customers,
-- $locations, $categories, $suppliers. inputs: sku_backorders.
select report_month, sku, open_demand, on_hand, backorder_units
from sku_backorders($window, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
where list_contains($skus::varchar[], sku)
order by sku, report_month
