/**
 * @module The Guacamole 1.x MySQL tables that Calipso touches, written from the documented schema
 * of guacamole-auth-jdbc (`schema/001-create-schema.sql`): same table and column names and types.
 * Used by the tests to build a throwaway Guacamole database; production databases are created by
 * Guacamole's own script.
 */

/** `CREATE TABLE` statements, in dependency order. */
export const GUACAMOLE_SCHEMA: readonly string[] = [
  `CREATE TABLE guacamole_connection_group (
  connection_group_id      int(11)      NOT NULL AUTO_INCREMENT,
  parent_id                int(11),
  connection_group_name    varchar(128) NOT NULL,
  type                     enum('ORGANIZATIONAL','BALANCING') NOT NULL DEFAULT 'ORGANIZATIONAL',
  max_connections          int(11),
  max_connections_per_user int(11),
  enable_session_affinity  boolean NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_group_id),
  UNIQUE KEY connection_group_name_parent (connection_group_name, parent_id),
  CONSTRAINT guacamole_connection_group_ibfk_1 FOREIGN KEY (parent_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE guacamole_connection (
  connection_id            int(11)      NOT NULL AUTO_INCREMENT,
  connection_name          varchar(128) NOT NULL,
  parent_id                int(11),
  protocol                 varchar(32)  NOT NULL,
  proxy_port               integer,
  proxy_hostname           varchar(512),
  proxy_encryption_method  enum('NONE','SSL'),
  max_connections          int(11),
  max_connections_per_user int(11),
  connection_weight        int(11),
  failover_only            boolean NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id),
  UNIQUE KEY connection_name_parent (connection_name, parent_id),
  CONSTRAINT guacamole_connection_ibfk_1 FOREIGN KEY (parent_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE guacamole_entity (
  entity_id int(11)      NOT NULL AUTO_INCREMENT,
  name      varchar(128) NOT NULL,
  type      enum('USER','USER_GROUP') NOT NULL,
  PRIMARY KEY (entity_id),
  UNIQUE KEY guacamole_entity_name_scope (type, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE guacamole_user (
  user_id             int(11)    NOT NULL AUTO_INCREMENT,
  entity_id           int(11)    NOT NULL,
  password_hash       binary(32) NOT NULL,
  password_salt       binary(32),
  password_date       datetime   NOT NULL,
  disabled            boolean    NOT NULL DEFAULT 0,
  expired             boolean    NOT NULL DEFAULT 0,
  access_window_start TIME,
  access_window_end   TIME,
  valid_from          DATE,
  valid_until         DATE,
  timezone            VARCHAR(64),
  full_name           VARCHAR(256),
  email_address       VARCHAR(256),
  organization        VARCHAR(256),
  organizational_role VARCHAR(256),
  PRIMARY KEY (user_id),
  UNIQUE KEY guacamole_user_single_entity (entity_id),
  CONSTRAINT guacamole_user_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE guacamole_connection_parameter (
  connection_id   int(11)       NOT NULL,
  parameter_name  varchar(128)  NOT NULL,
  parameter_value varchar(4096) NOT NULL,
  PRIMARY KEY (connection_id, parameter_name),
  CONSTRAINT guacamole_connection_parameter_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE guacamole_connection_permission (
  entity_id     int(11) NOT NULL,
  connection_id int(11) NOT NULL,
  permission    enum('READ','UPDATE','DELETE','ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, connection_id, permission),
  CONSTRAINT guacamole_connection_permission_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_connection_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE guacamole_connection_history (
  history_id           int(11)      NOT NULL AUTO_INCREMENT,
  user_id              int(11)      DEFAULT NULL,
  username             varchar(128) NOT NULL,
  remote_host          varchar(256) DEFAULT NULL,
  connection_id        int(11)      DEFAULT NULL,
  connection_name      varchar(128) NOT NULL,
  sharing_profile_id   int(11)      DEFAULT NULL,
  sharing_profile_name varchar(128) DEFAULT NULL,
  start_date           datetime     NOT NULL,
  end_date             datetime     DEFAULT NULL,
  PRIMARY KEY (history_id),
  KEY user_id (user_id),
  KEY connection_id (connection_id),
  KEY start_date (start_date),
  KEY end_date (end_date),
  CONSTRAINT guacamole_connection_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE SET NULL,
  CONSTRAINT guacamole_connection_history_ibfk_2 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
];
