CREATE TABLE `catalog_products` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`category` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `catalog_products_category` ON `catalog_products` (`category`);