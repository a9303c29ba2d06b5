CREATE TABLE `orders_events` (
	`position` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`occurred_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_events_order_seq` ON `orders_events` (`order_id`,`seq`);--> statement-breakpoint
CREATE TABLE `orders_index` (
	`order_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_index_user` ON `orders_index` (`user_id`);