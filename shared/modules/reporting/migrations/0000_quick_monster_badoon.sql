CREATE TABLE `report_daily` (
	`day` text PRIMARY KEY NOT NULL,
	`orders` integer NOT NULL,
	`revenue_cents` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `report_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `report_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`day` text NOT NULL,
	`total_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`items` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `report_orders_day` ON `report_orders` (`day`);--> statement-breakpoint
CREATE TABLE `report_products` (
	`product_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`units` integer NOT NULL,
	`revenue_cents` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `report_products_units` ON `report_products` (`units`);