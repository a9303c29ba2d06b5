CREATE TABLE `checkout_idempotency` (
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`state` text NOT NULL,
	`response` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `key`)
);
