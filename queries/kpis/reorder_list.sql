-- reorder_list: what to order now, as reported at M (sku_reorder): the SKUs whose inventory
-- position (on hand + on order - open demand) is at or below their reorder point (d x L + safety
-- stock), with suggested quantity = order-up-to (d x (L + review period) + safety stock) - position
-- (listed when above 0) and its value at unit cost, per supplier (the product master's), largest
-- value first within a supplier (unknown cost last). With the buyer's columns: description,
-- category, on hand, on order, next expected date and late PO lines, open demand, position, d, L
-- and where it came from, sigma, safety stock, reorder point, order-up-to, ABC-XYZ class.
-- Settings: z = $service_z (of the service level), $review_days, $default_lead_days, $abc_a,
-- $abc_b. $classes (['AX', 'BY', ...], null = all) keeps those ABC-XYZ cells. A category or
-- supplier filter keeps its SKUs; the customer and location filters do not apply (stock, POs and
-- the reorder point are per SKU over all locations). Empty when M lacks its orders or stock upload.
-- grain: one row per SKU to order. parameters: $month, $service_z, $review_days,
-- $default_lead_days, $abc_a, $abc_b, $classes, $categories, $suppliers.
-- inputs: reorder_to_order (sku_reorder, product_facts).
select r.*
from reorder_to_order($month, $service_z, $review_days, $default_lead_days, $abc_a, $abc_b,
                      $classes::varchar[], $categories::varchar[], $suppliers::varchar[]) as r
order by r.supplier nulls last, r.suggested_value desc nulls last, r.sku
