CREATE TABLE `checkout_owners` (
	`owner` text PRIMARY KEY NOT NULL,
	`alive_until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `checkout_sagas` (
	`order_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`key` text,
	`attempt` integer NOT NULL,
	`fingerprint` text NOT NULL,
	`state` text NOT NULL,
	`lines` text,
	`total` text,
	`quote` text,
	`response` text,
	`owner` text NOT NULL,
	`lease_until` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkout_sagas_key` ON `checkout_sagas` (`user_id`,`key`,`attempt`);--> statement-breakpoint
CREATE INDEX `checkout_sagas_state` ON `checkout_sagas` (`state`);