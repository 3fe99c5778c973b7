// Entry point: mounts the app into the page.
import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { detectLanguage, mendWebviewLanguage } from "./i18n";

mendWebviewLanguage(detectLanguage(navigator.language));

const target = document.getElementById("app");
if (target) mount(App, { target });
