CREATE TABLE `notifications_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`ref` text NOT NULL,
	`order_id` text NOT NULL,
	`user_id` text NOT NULL,
	`to` text NOT NULL,
	`sent_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_notifications_kind_ref` ON `notifications_notifications` (`kind`,`ref`);--> statement-breakpoint
CREATE INDEX `notifications_notifications_user` ON `notifications_notifications` (`user_id`,`sent_at`);