-- Formulas written once and used by both the facts built at load time (queries/facts) and the
-- intermediate macros that recompute a filtered view (and by the KPI queries), so that the fast path
-- and the filtered path cannot drift apart. Scalar macros: DuckDB inlines them, so they cost
-- nothing at run time. Created first (files run in name order), before the macros using them.

-- open_qty(line, t) = max(0, qty_ordered - shipped - cancelled) (kpi-book 2), rounded to 6
-- decimals: quantities are doubles, and 12.3 - 6.1 - 6.2 leaves 1e-15 open.
create or replace macro open_units(qty_ordered, shipped, cancelled) as
    greatest(0, round(qty_ordered - shipped - cancelled, 6));

-- backorder_units(s) = max(0, demand(s) - on_hand(s, M)) (kpi-book 3); a SKU without open demand
-- or without a stock row counts 0 for it. Rounded to 6 decimals: open lines of 0.1 and 0.2 against
-- 0.3 on hand leave 5.55e-17, which is no backorder.
create or replace macro backorder_units(demand, on_hand) as
    greatest(0, round(coalesce(demand, 0) - coalesce(on_hand, 0), 6));

-- on_hand(s, M) = max(0, sum of the SKU's qty_on_hand rows) (kpi-book 1): give it the sum.
create or replace macro on_hand_units(qty_on_hand_sum) as
    greatest(0, qty_on_hand_sum);

-- unit_cost(s, M) (kpi-book 1): the stock files' cost as of M (stock_costs: the month's, else the
-- most recent earlier month's), else the product master's; null = unknown.
create or replace macro sku_unit_cost(stock_cost, master_cost) as
    coalesce(stock_cost, master_cost);

-- Global filters (category, supplier, location, customer). A row without a value of a kind
-- (a line without a customer or location, a SKU without a category or supplier, or missing from
-- the product master) has the value '(no <kind>)', which the filter lists (filter_values) and a
-- user may choose: so choosing every value of a filter keeps every row, as no filter does.
create or replace macro filter_value(value, kind) as
    coalesce(value, '(no ' || kind || ')');

-- filter_keeps(chosen, value, kind): whether a row with `value` passes a filter choosing the
-- list `chosen` (null = no filter, every row passes).
create or replace macro filter_keeps(chosen, value, kind) as
    chosen is null or list_contains(chosen, filter_value(value, kind));
