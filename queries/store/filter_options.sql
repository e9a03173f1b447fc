-- filter_options: the values each global filter can take, from the data loaded, including the
-- '(no customer)'-style value of rows without one (see queries/intermediate/10_filter_values.sql).
-- grain: kind (category | supplier | location | customer) x value. parameters: none.
-- inputs: filter_values.
select kind, value from filter_values order by kind, value
