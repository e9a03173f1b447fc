-- draft_po: the reorder list's rows (reorder_list, with its columns and order) of one supplier of
-- the product master, $supplier ('(no supplier)': the SKUs without one): a buyer's draft purchase
-- order. $classes (['AX', 'BY', ...], null = all) keeps those ABC-XYZ cells, as in reorder_list.
-- Empty when M lacks its orders or stock upload.
-- grain: one row per SKU to order. parameters: $month, $service_z, $review_days, $default_lead_days,
-- $abc_a, $abc_b, $classes, $supplier, $categories, $suppliers. inputs: reorder_to_order.
select r.*
from reorder_to_order($month, $service_z, $review_days, $default_lead_days, $abc_a, $abc_b,
                      $classes::varchar[], $categories::varchar[], $suppliers::varchar[]) as r
where filter_value(r.supplier, 'supplier') = $supplier
order by r.suggested_value desc nulls last, r.sku
