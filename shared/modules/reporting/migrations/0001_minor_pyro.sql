CREATE TABLE `report_early` (
	`order_id` text PRIMARY KEY NOT NULL,
	`confirmed` integer NOT NULL,
	`cancelled` integer NOT NULL
);
