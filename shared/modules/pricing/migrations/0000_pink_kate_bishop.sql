CREATE TABLE `pricing_prices` (
	`product_id` text PRIMARY KEY NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text NOT NULL
);
