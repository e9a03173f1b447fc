-- reorder_by_supplier: the reorder list (reorder_list: SKUs whose inventory position is at or below
-- their reorder point, suggested quantity above 0, as reported at M) totalled per supplier of the
-- product master ('(no supplier)' without one): SKUs to order, suggested units, suggested value at
-- unit cost (SKUs of unknown cost add 0 and are counted), and how many of them are backordered
-- (open demand above on hand). $classes (['AX', 'BY', ...], null = all) keeps those ABC-XYZ cells,
-- as in reorder_list. Largest value first. Empty when M lacks its orders or stock upload.
-- grain: one row per supplier. parameters: $month, $service_z, $review_days, $default_lead_days,
-- $abc_a, $abc_b, $classes, $categories, $suppliers. inputs: reorder_to_order.
with
to_order as (
    select filter_value(supplier, 'supplier') as supplier, * exclude (supplier)
    from reorder_to_order($month, $service_z, $review_days, $default_lead_days, $abc_a, $abc_b,
                          $classes::varchar[], $categories::varchar[], $suppliers::varchar[])
)
select
    supplier,
    count(*) as count_skus,
    sum(suggested_qty) as suggested_qty,
    coalesce(sum(suggested_value), 0) as suggested_value,
    count(*) filter (where unit_cost is null) as count_unknown_cost,
    count(*) filter (where open_demand > on_hand) as count_backordered
from to_order
group by supplier
order by suggested_value desc, supplier
